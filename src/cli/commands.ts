import type { Command } from 'commander';
import { registerBenchCommand } from './bench.js';
import { registerBrokerCommand } from './broker.js';
import { registerConsumeCommand } from './consume.js';
import { registerDevCommand } from './dev.js';
import { registerNamesrvCommand } from './namesrv.js';
import { registerProduceCommand } from './produce.js';

/** Each subcommand lives in its own file under src/cli/ and registers itself on the program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerNamesrvCommand,
  registerBrokerCommand,
  registerDevCommand,
  registerProduceCommand,
  registerConsumeCommand,
  registerBenchCommand,
];
