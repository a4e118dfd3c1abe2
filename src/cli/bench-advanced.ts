import type { Command } from 'commander';
import { runDelayBench } from '../../bench/delay-bench.js';
import { runOrderlyBench } from '../../bench/orderly-bench.js';
import { runTransactionBench } from '../../bench/transaction-bench.js';
import { exitWithJsonLine, intFlag, namesrvFlag } from './bench-flags.js';

interface CommonFlags {
  namesrvAddr?: string;
  topic: string;
  size: string;
  count: string;
  queueNums: string;
}

interface DelayFlags extends CommonFlags {
  level: string;
  levelDelayMs: string;
  window: string;
  connections: string;
}

interface OrderlyFlags extends CommonFlags {
  batch: string;
  timeout: string;
}

interface TransactionFlags extends CommonFlags {
  window: string;
  connections: string;
  group: string;
}

/**
 * `cometmq bench delay|orderly|transaction`: the advanced messaging benchmarks of issue 9 (delayed
 * delivery lag, orderly vs concurrent consumption, transactional sends), each one JSON line.
 */
export function registerAdvancedBenchCommands(bench: Command): void {
  bench
    .command('delay')
    .description('send delayed messages (DELAY=level) and measure send rate and delivery lag past due')
    .option('-n, --namesrvAddr <addr>', 'NameServer address (default $NAMESRV_ADDR)')
    .option('-t, --topic <topic>', 'topic (created when missing)', 'DelayBench')
    .option('-s, --size <bytes>', 'message body size', '1024')
    .option('-c, --count <n>', 'messages', '100000')
    .option('--level <n>', 'delay level', '1')
    .option('--level-delay-ms <ms>', "the broker's delay for that level", '1000')
    .option('-w, --window <n>', 'messages in flight', '256')
    .option('--connections <n>', 'connections per broker', '2')
    .option('--queue-nums <n>', 'queues per broker when the topic is created', '8')
    .action(async (f: DelayFlags) =>
      exitWithJsonLine(
        await runDelayBench({
          namesrvAddr: namesrvFlag(f.namesrvAddr),
          topic: f.topic,
          size: intFlag('--size', f.size, 0),
          count: intFlag('--count', f.count, 1),
          level: intFlag('--level', f.level, 1),
          levelDelayMs: intFlag('--level-delay-ms', f.levelDelayMs, 0),
          window: intFlag('--window', f.window, 1),
          connections: intFlag('--connections', f.connections, 1),
          queueNums: intFlag('--queue-nums', f.queueNums, 1),
        }),
      ),
    );
  bench
    .command('orderly')
    .description('consume one preloaded topic with our PushConsumer, concurrently and then orderly')
    .option('-n, --namesrvAddr <addr>', 'NameServer address (default $NAMESRV_ADDR)')
    .option('-t, --topic <prefix>', 'topic name prefix (a new topic per run)', 'OrderlyBench')
    .option('-s, --size <bytes>', 'message body size', '1024')
    .option('-c, --count <n>', 'messages', '100000')
    .option('--queue-nums <n>', 'queues of the topic', '8')
    .option('--batch <n>', 'messages per listener call (consumeMessageBatchMaxSize)', '1')
    .option('--timeout <secs>', 'give up on a mode after this long', '300')
    .action(async (f: OrderlyFlags) =>
      exitWithJsonLine(
        await runOrderlyBench({
          namesrvAddr: namesrvFlag(f.namesrvAddr),
          topic: f.topic,
          size: intFlag('--size', f.size, 0),
          count: intFlag('--count', f.count, 1),
          queueNums: intFlag('--queue-nums', f.queueNums, 1),
          batch: intFlag('--batch', f.batch, 1),
          timeoutSec: intFlag('--timeout', f.timeout, 1),
        }),
      ),
    );
  bench
    .command('transaction')
    .description('prepared sends, each committed with END_TRANSACTION once acknowledged')
    .option('-n, --namesrvAddr <addr>', 'NameServer address (default $NAMESRV_ADDR)')
    .option('-t, --topic <topic>', 'topic (created when missing)', 'TransactionBench')
    .option('-s, --size <bytes>', 'message body size', '1024')
    .option('-c, --count <n>', 'transactions', '100000')
    .option('-w, --window <n>', 'half messages in flight', '256')
    .option('--connections <n>', 'connections per broker', '2')
    .option('--queue-nums <n>', 'queues per broker when the topic is created', '8')
    .option('-g, --group <group>', 'producer group', 'transaction_bench_producer')
    .action(async (f: TransactionFlags) =>
      exitWithJsonLine(
        await runTransactionBench({
          namesrvAddr: namesrvFlag(f.namesrvAddr),
          topic: f.topic,
          size: intFlag('--size', f.size, 0),
          count: intFlag('--count', f.count, 1),
          window: intFlag('--window', f.window, 1),
          connections: intFlag('--connections', f.connections, 1),
          queueNums: intFlag('--queue-nums', f.queueNums, 1),
          producerGroup: f.group,
        }),
      ),
    );
}
