import type { Command } from 'commander';
import { registerCompareBenchCommand } from '../../bench/compare-command.js';
import { runStoreBench } from '../../bench/store-bench.js';
import { ConfigError } from '../common/config.js';
import { registerAdvancedBenchCommands } from './bench-advanced.js';
import { registerHaBenchCommand } from './bench-ha.js';
import { registerNetworkBenchCommands } from './bench-network.js';
import { registerTimerBenchCommand } from './bench-timer.js';

function int(name: string, v: string, min: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new ConfigError(`bad value "${v}" for ${name}: expected an integer >= ${min}`);
  return Number(v);
}

interface StoreFlags {
  count: string;
  size: string;
  queues: string;
  flush: string;
  inflight: string;
  dir?: string;
  index: boolean;
}

/** `cometmq bench ...`: the benchmark programs of bench/, one subcommand each. */
export function registerBenchCommand(program: Command): void {
  const bench = program.command('bench').description('benchmarks (each ends with one JSON line on stdout)');
  bench
    .command('store')
    .description('append to and read back from the message store in process, no network')
    .option('--count <n>', 'messages to append', '1000000')
    .option('--size <bytes>', 'message body size', '1024')
    .option('--queues <n>', 'queues of the topic', '8')
    .option('--flush <type>', 'async (ASYNC_FLUSH) or sync (SYNC_FLUSH, group commit)', 'async')
    .option('--inflight <n>', 'appends in flight', '256')
    .option('--dir <dir>', 'store folder (default: a temporary folder, removed afterwards)')
    .option('--no-index', 'do not index the messages’ UNIQ_KEY')
    .action(async (f: StoreFlags) => {
      if (f.flush !== 'async' && f.flush !== 'sync')
        throw new ConfigError(`bad value "${f.flush}" for --flush: expected async or sync`);
      const r = await runStoreBench({
        count: int('--count', f.count, 1),
        size: int('--size', f.size, 0),
        queues: int('--queues', f.queues, 1),
        flush: f.flush,
        inflight: int('--inflight', f.inflight, 1),
        dir: f.dir,
        index: f.index,
      });
      process.stdout.write(`${JSON.stringify(r)}\n`);
    });
  registerNetworkBenchCommands(bench);
  registerTimerBenchCommand(bench);
  registerCompareBenchCommand(bench);
  registerHaBenchCommand(bench);
  registerAdvancedBenchCommands(bench);
}
