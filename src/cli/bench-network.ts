import type { Command } from 'commander';
import { runConsumerBench } from '../../bench/consumer-bench.js';
import { runProducerBench } from '../../bench/producer-bench.js';
import { ConfigError } from '../common/config.js';
import { exitWithJsonLine, intFlag, namesrvFlag, optionalIntFlag } from './bench-flags.js';

interface ProducerFlags {
  namesrvAddr?: string;
  topic: string;
  size: string;
  window: string;
  count?: string;
  duration?: string;
  connections: string;
  queueNums: string;
  group: string;
}

interface ConsumerFlags {
  namesrvAddr?: string;
  topic: string;
  group: string;
  count?: string;
  duration?: string;
  from: string;
  queueNums: string;
  batch: string;
}

/** -c and --duration; a run given neither lasts 10 s (docs/benchmarks.md). */
function runLength(f: { count?: string; duration?: string }): { count?: number; durationSec?: number } {
  const count = optionalIntFlag('--count', f.count, 1);
  const durationSec = optionalIntFlag('--duration', f.duration, 1) ?? (count === undefined ? 10 : undefined);
  return { count, durationSec };
}

/**
 * `cometmq bench producer` and `cometmq bench consumer`: network load generators in the spirit of
 * RocketMQ's benchmark.Producer / benchmark.Consumer. Live progress on a terminal, then one JSON line.
 */
export function registerNetworkBenchCommands(bench: Command): void {
  bench
    .command('producer')
    .description('send messages as fast as the broker acknowledges them (one JSON line at the end)')
    .option('-n, --namesrvAddr <addr>', 'NameServer address (default $NAMESRV_ADDR)')
    .requiredOption('-t, --topic <topic>', 'topic (created with --queue-nums queues when missing)')
    .option('-s, --size <bytes>', 'message body size', '1024')
    .option('-w, --window <n>', 'messages in flight', '256')
    .option('-c, --count <n>', 'stop after this many messages')
    .option('--duration <secs>', 'stop after this many seconds (default 10 when no --count)')
    .option('--connections <n>', 'connections per broker', '2')
    .option('--queue-nums <n>', 'queues per broker when the topic is created', '8')
    .option('-g, --group <group>', 'producer group', 'benchmark_producer')
    .action(async (f: ProducerFlags) => {
      const { count, durationSec } = runLength(f);
      const r = await runProducerBench({
        namesrvAddr: namesrvFlag(f.namesrvAddr),
        topic: f.topic,
        size: intFlag('--size', f.size, 0),
        window: intFlag('--window', f.window, 1),
        count,
        durationSec,
        connections: intFlag('--connections', f.connections, 1),
        queueNums: intFlag('--queue-nums', f.queueNums, 1),
        producerGroup: f.group,
      });
      exitWithJsonLine(r);
    });
  bench
    .command('consumer')
    .description('pull a topic as fast as the broker hands it out; end-to-end latency from born timestamp')
    .option('-n, --namesrvAddr <addr>', 'NameServer address (default $NAMESRV_ADDR)')
    .requiredOption('-t, --topic <topic>', 'topic (created when missing)')
    .option('-g, --group <group>', 'consumer group', 'benchmark_consumer')
    .option('-c, --count <n>', 'stop after this many messages')
    .option('--duration <secs>', 'stop after this many seconds (default 10 when no --count)')
    .option('--from <where>', 'where each queue starts: last, first or committed', 'last')
    .option('--queue-nums <n>', 'queues per broker when the topic is created', '8')
    .option('--batch <n>', 'messages per pull (pullBatchSize)', '32')
    .action(async (f: ConsumerFlags) => {
      if (f.from !== 'last' && f.from !== 'first' && f.from !== 'committed') {
        throw new ConfigError(`bad value "${f.from}" for --from: expected last, first or committed`);
      }
      const { count, durationSec } = runLength(f);
      const r = await runConsumerBench({
        namesrvAddr: namesrvFlag(f.namesrvAddr),
        topic: f.topic,
        group: f.group,
        count,
        durationSec,
        from: f.from,
        queueNums: intFlag('--queue-nums', f.queueNums, 1),
        pullBatchSize: intFlag('--batch', f.batch, 1),
      });
      exitWithJsonLine(r);
    });
}
