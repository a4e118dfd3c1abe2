#!/usr/bin/env -S node --initial-old-space-size=128
import { Command } from 'commander';
import { commands } from './commands.js';

const program = new Command();
program.name('cometmq').description('CometMQ: a RocketMQ 4.x compatible message queue for Node.js');
for (const register of commands) register(program);
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`cometmq: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
