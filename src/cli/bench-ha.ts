import type { Command } from 'commander';
import { type HaBenchRole, runHaBench } from '../../bench/ha-bench.js';
import { ConfigError } from '../common/config.js';
import { intFlag } from './bench-flags.js';

interface HaFlags {
  roles: string;
  duration: string;
  size: string;
  window: string;
  connections: string;
  queueNums: string;
  sampleMs: string;
  brokerArg: string[];
  samples: boolean;
}

/**
 * `cometmq bench ha`: a NameServer, a master and a slave as child processes per master role, the
 * producer benchmark's load, replication lag sampled from the master (bench/ha-bench.ts).
 */
export function registerHaBenchCommand(bench: Command): void {
  bench
    .command('ha')
    .description('replication lag and SYNC_MASTER vs ASYNC_MASTER throughput (starts its own processes)')
    .option('--roles <list>', 'master roles to run, comma separated', 'ASYNC_MASTER,SYNC_MASTER')
    .option('--duration <secs>', 'load per role', '20')
    .option('-s, --size <bytes>', 'message body size', '1024')
    .option('-w, --window <n>', 'messages in flight', '256')
    .option('--connections <n>', 'connections to the master', '2')
    .option('--queue-nums <n>', 'queues of the topic', '8')
    .option('--sample-ms <ms>', 'ms between samples of the master’s HA state', '100')
    .option(
      '--broker-arg <flag>',
      'extra flag for both brokers (repeatable), e.g. --broker-arg=--flushDiskType=SYNC_FLUSH',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--samples', 'print every sample as a JSON line too', false)
    .action(async (f: HaFlags) => {
      const roles = f.roles.split(',').map((r) => r.trim());
      for (const r of roles)
        if (r !== 'SYNC_MASTER' && r !== 'ASYNC_MASTER')
          throw new ConfigError(`bad role "${r}" in --roles: expected SYNC_MASTER or ASYNC_MASTER`);
      await runHaBench({
        roles: roles as HaBenchRole[],
        durationSec: intFlag('--duration', f.duration, 1),
        size: intFlag('--size', f.size, 0),
        window: intFlag('--window', f.window, 1),
        connections: intFlag('--connections', f.connections, 1),
        queueNums: intFlag('--queue-nums', f.queueNums, 1),
        sampleMs: intFlag('--sample-ms', f.sampleMs, 1),
        brokerArgs: f.brokerArg,
        printSamples: f.samples,
      });
      process.exit(0);
    });
}
