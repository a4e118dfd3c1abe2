/**
 * `cometmq bench delay`: delayed messages end to end. The light generator of bench/producer-bench.ts
 * sends 1 KiB messages carrying DELAY=level (so the broker parks them in SCHEDULE_TOPIC_XXXX), while
 * bench/consumer-bench.ts pulls the real topic. Delivery lag is receipt time minus due time, with the
 * due time taken as born timestamp + the level's delay (born precedes the store time, so this slightly
 * overstates the lag, the same way against any broker). Works against any RocketMQ 4.x broker.
 */
import { type ConsumerBenchResult, runConsumerBench } from './consumer-bench.js';
import { type ProducerBenchResult, runProducerBench } from './producer-bench.js';

export interface DelayBenchOptions {
  namesrvAddr: string;
  topic: string;
  size: number;
  /** delay level (1 = 1 s with the default messageDelayLevel) */
  level: number;
  /** the broker's delay for that level, subtracted from born-to-receipt latency */
  levelDelayMs: number;
  count: number;
  window: number;
  connections: number;
  queueNums: number;
}

export interface DelayBenchResult {
  bench: 'delay';
  level: number;
  size: number;
  count: number;
  sendMsgsPerSec: number;
  sendP99Ms: number;
  sendFailures: number;
  delivered: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

export async function runDelayBench(o: DelayBenchOptions): Promise<DelayBenchResult> {
  // the consumer starts at the queues' current ends; nothing it wants can arrive before levelDelayMs
  const consumer: Promise<ConsumerBenchResult> = runConsumerBench({
    namesrvAddr: o.namesrvAddr,
    topic: o.topic,
    group: `delay_bench_${Date.now()}`,
    count: o.count,
    from: 'last',
    queueNums: o.queueNums,
    pullBatchSize: 32,
  });
  await new Promise((r) => setTimeout(r, Math.min(500, o.levelDelayMs / 2)));
  const sent: ProducerBenchResult = await runProducerBench({
    namesrvAddr: o.namesrvAddr,
    topic: o.topic,
    size: o.size,
    window: o.window,
    count: o.count,
    connections: o.connections,
    queueNums: o.queueNums,
    producerGroup: 'delay_bench_producer',
    properties: `DELAY\u0001${o.level}\u0002WAIT\u0001true\u0002TAGS\u0001bench\u0002`,
  });
  const got = await consumer;
  const lag = (ms: number): number => Math.round((ms - o.levelDelayMs) * 100) / 100;
  return {
    bench: 'delay',
    level: o.level,
    size: o.size,
    count: o.count,
    sendMsgsPerSec: sent.msgsPerSec,
    sendP99Ms: sent.p99Ms,
    sendFailures: sent.failures,
    delivered: got.received,
    lagP50Ms: lag(got.p50Ms),
    lagP99Ms: lag(got.p99Ms),
    lagMaxMs: lag(got.maxMs),
  };
}
