import type { Command } from 'commander';
import { registerCompareBenchCommand } from '../../bench/compare-command.js';
import { runStoreBench } from '../../bench/store-bench.js';
import { ConfigError } from '../common/config.js';
import { registerAdvancedBenchCommands } from './bench-advanced.js';
import { intFlag, printJsonLine } from './bench-flags.js';
import { registerHaBenchCommand } from './bench-ha.js';
import { registerNetworkBenchCommands } from './bench-network.js';
import { registerTimerBenchCommand } from './bench-timer.js';

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
        count: intFlag('--count', f.count, 1),
        size: intFlag('--size', f.size, 0),
        queues: intFlag('--queues', f.queues, 1),
        flush: f.flush,
        inflight: intFlag('--inflight', f.inflight, 1),
        dir: f.dir,
        index: f.index,
      });
      printJsonLine(r);
    });
  registerNetworkBenchCommands(bench);
  registerTimerBenchCommand(bench);
  registerCompareBenchCommand(bench);
  registerHaBenchCommand(bench);
  registerAdvancedBenchCommands(bench);
}
