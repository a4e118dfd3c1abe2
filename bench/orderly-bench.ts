/**
 * `cometmq bench orderly`: our SDK's PushConsumer with an orderly listener (MessageListenerOrderly:
 * queues locked on the broker, one listener call per queue at a time) against the same consumer with a
 * concurrent listener, on one topic of `queueNums` queues preloaded with `count` messages by the light
 * generator of bench/producer-bench.ts. Each mode is a new consumer group reading from the first offset;
 * its rate counts from the first message it received to the last, so start-up and rebalance are not
 * part of it. The listener does no work: what is measured is the SDK's consume path.
 */
import { performance } from 'node:perf_hooks';
import type { MessageExt } from '../src/client/message.js';
import { PushConsumer } from '../src/index.js';
import { round } from './bench-support.js';
import { runProducerBench } from './producer-bench.js';

export interface OrderlyBenchOptions {
  namesrvAddr: string;
  /** a fresh topic `<topic>_<time>` is created for each run, so earlier runs do not count */
  topic: string;
  size: number;
  count: number;
  queueNums: number;
  /** messages per listener call (consumeMessageBatchMaxSize) */
  batch: number;
  timeoutSec: number;
}

export interface ConsumeModeResult {
  msgsPerSec: number;
  received: number;
  durationSec: number;
  /** orderly only: messages that arrived below an offset already seen on their queue */
  orderInversions: number;
}

export interface OrderlyBenchResult {
  bench: 'orderly';
  topic: string;
  queueNums: number;
  count: number;
  size: number;
  batch: number;
  produceMsgsPerSec: number;
  concurrent: ConsumeModeResult;
  orderly: ConsumeModeResult;
  /** orderly msgs/s over concurrent msgs/s */
  ratio: number;
}

async function consume(o: OrderlyBenchOptions, topic: string, orderly: boolean): Promise<ConsumeModeResult> {
  const consumer = new PushConsumer({
    group: `orderly_bench_${orderly ? 'orderly' : 'concurrent'}_${Date.now()}`,
    namesrvAddr: o.namesrvAddr,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    consumeMessageBatchMaxSize: o.batch,
  });
  consumer.subscribe(topic, '*');
  let received = 0;
  let first = 0;
  let last = 0;
  let inversions = 0;
  const lastOffset = new Map<number, number>();
  let finish: () => void = () => {};
  const done = new Promise<void>((r) => {
    finish = r;
  });
  const onMessages = (msgs: MessageExt[]): void => {
    const now = performance.now();
    if (first === 0) first = now;
    last = now;
    for (const m of msgs) {
      const prev = lastOffset.get(m.queueId) ?? -1;
      if (m.queueOffset < prev) inversions++;
      lastOffset.set(m.queueId, m.queueOffset);
    }
    received += msgs.length;
    if (received >= o.count) finish();
  };
  if (orderly)
    consumer.registerMessageListener(
      (msgs) => {
        onMessages(msgs);
        return 'SUCCESS' as const;
      },
      { orderly: true },
    );
  else
    consumer.registerMessageListener((msgs) => {
      onMessages(msgs);
      return 'CONSUME_SUCCESS' as const;
    });
  await consumer.start();
  const timer = setTimeout(finish, o.timeoutSec * 1000);
  await done;
  clearTimeout(timer);
  await consumer.shutdown();
  const secs = (last - first) / 1000;
  return {
    msgsPerSec: secs > 0 ? Math.round((received - 1) / secs) : 0,
    received,
    durationSec: round(secs),
    orderInversions: orderly ? inversions : 0,
  };
}

export async function runOrderlyBench(o: OrderlyBenchOptions): Promise<OrderlyBenchResult> {
  const topic = `${o.topic}_${Date.now()}`;
  const produced = await runProducerBench({
    namesrvAddr: o.namesrvAddr,
    topic,
    size: o.size,
    window: 256,
    count: o.count,
    connections: 2,
    queueNums: o.queueNums,
    producerGroup: 'orderly_bench_producer',
  });
  const count = produced.acked;
  const concurrent = await consume({ ...o, count }, topic, false);
  const orderly = await consume({ ...o, count }, topic, true);
  return {
    bench: 'orderly',
    topic,
    queueNums: o.queueNums,
    count,
    size: o.size,
    batch: o.batch,
    produceMsgsPerSec: produced.msgsPerSec,
    concurrent,
    orderly,
    ratio: concurrent.msgsPerSec > 0 ? round(orderly.msgsPerSec / concurrent.msgsPerSec) : 0,
  };
}
