/**
 * Orderly consumption (registerMessageListener(..., { orderly: true })) against real NameServer and
 * broker processes: a globally ordered topic (one queue) and a partitionally ordered topic (a selector
 * by key) while one consumer leaves and another joins mid-stream; no key may see an order inversion
 * and no queue two listener calls at once. Then SUSPEND_CURRENT_QUEUE_A_MOMENT: local retries, then
 * the dead-letter queue, and the queue moves on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsumeOrderlyContext,
  Message,
  type MessageExt,
  Producer,
  PushConsumer,
  selectMessageQueueByHash,
} from '../../src/index.js';
import { type StartedCluster, startCluster, testTargets } from '../helpers/mq-cluster.js';
import { lacks, needs } from './broker-features.js';
import { readDeadLetters, waitFor } from './client-test-utils.js';

const targets = testTargets();

/** Deliveries per key, checked as they happen. */
class OrderTracker {
  private readonly seen = new Map<string, Set<number>>();
  private readonly inflight = new Map<string, number>();
  /** A message delivered for the first time before its predecessor of the same key. */
  inversions = 0;
  /** A queue handed to two listener calls at once (two consumers, or two lanes of one). */
  overlaps = 0;
  duplicates = 0;
  distinct = 0;
  readonly byConsumer = new Map<string, number>();

  listener(consumer: string) {
    return async (msgs: MessageExt[], ctx: ConsumeOrderlyContext): Promise<'SUCCESS'> => {
      const q = `${ctx.messageQueue.brokerName}:${ctx.messageQueue.queueId}`;
      const now = (this.inflight.get(q) ?? 0) + 1;
      this.inflight.set(q, now);
      if (now > 1) this.overlaps++;
      try {
        for (const m of msgs) {
          const [key, seqText] = m.bodyText().split(':');
          const seq = Number(seqText);
          let set = this.seen.get(key!);
          if (!set) {
            set = new Set();
            this.seen.set(key!, set);
          }
          if (set.has(seq)) {
            this.duplicates++;
            continue;
          }
          if (seq > 0 && !set.has(seq - 1)) this.inversions++;
          set.add(seq);
          this.distinct++;
          this.byConsumer.set(consumer, (this.byConsumer.get(consumer) ?? 0) + 1);
        }
        // a little work, so that queues are being consumed while membership changes
        await new Promise((r) => setTimeout(r, 1));
      } finally {
        this.inflight.set(q, this.inflight.get(q)! - 1);
      }
      return 'SUCCESS';
    };
  }
}

describe.skipIf(targets.length === 0)('orderly consumption', () => {
  for (const target of targets)
    describe(`against ${target}`, () => {
      let cluster: StartedCluster;
      let producer: Producer;
      const started: (PushConsumer | Producer)[] = [];

      beforeAll(async () => {
        cluster = await startCluster(target);
        producer = new Producer({ group: 'OrderlyTestProducer', namesrvAddr: cluster.namesrvAddr });
        await producer.start();
        await producer.createTopic('TBW102', 'TGlobalOrder', 1);
        await producer.createTopic('TBW102', 'TPartitionOrder', 4);
        await producer.createTopic('TBW102', 'TSuspend', 1);
      }, 120_000);

      afterAll(async () => {
        await Promise.allSettled(started.map((c) => c.shutdown()));
        await producer?.shutdown();
        await cluster?.shutdown();
      }, 60_000);

      function orderlyConsumer(
        group: string,
        topic: string,
        instanceName: string,
        listener: ReturnType<OrderTracker['listener']>,
      ): PushConsumer {
        const c = new PushConsumer({
          group,
          namesrvAddr: cluster.namesrvAddr,
          instanceName,
          consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
          pullBatchSize: 16,
        });
        c.subscribe(topic, '*');
        c.registerMessageListener(listener, { orderly: true });
        started.push(c);
        return c;
      }

      /**
       * `total` messages `key:seq` over `keys` keys (each key to one queue by hash): half of them wait
       * as a backlog when two consumers start; while the rest is sent, the first consumer leaves and
       * then a third one joins, both while the backlog is being consumed.
       */
      async function churn(topic: string, group: string, keys: number, total: number): Promise<OrderTracker> {
        const t = new OrderTracker();
        const c1 = orderlyConsumer(group, topic, `${group}-1`, t.listener('c1'));
        const c2 = orderlyConsumer(group, topic, `${group}-2`, t.listener('c2'));
        const c3 = orderlyConsumer(group, topic, `${group}-3`, t.listener('c3'));
        const seqs = new Array<number>(keys).fill(0);
        const sendOne = async (i: number): Promise<void> => {
          const key = `k${i % keys}`;
          const seq = seqs[i % keys]!++;
          await producer.send(
            new Message({ topic, body: `${key}:${seq}`, keys: key }),
            selectMessageQueueByHash,
            key,
          );
        };
        const backlog = Math.floor(total / 2);
        for (let i = 0; i < backlog; i++) await sendOne(i);
        await c1.start();
        await c2.start();
        for (let i = backlog; i < total; i++) {
          await sendOne(i);
          if (i === backlog + 50) await c1.shutdown();
          if (i === backlog + 150) await c3.start();
        }
        expect(await waitFor(() => t.distinct >= total, 45_000)).toBe(true);
        await c2.shutdown();
        await c3.shutdown();
        console.log(
          `[${target}] ${topic}: ${total} messages, ${t.duplicates} duplicates, per consumer`,
          Object.fromEntries(t.byConsumer),
        );
        return t;
      }

      it.skipIf(lacks(target, 'LOCK_BATCH_MQ'))(
        `a globally ordered topic (one queue) stays in order while consumers leave and join${needs(target, 'LOCK_BATCH_MQ')}`,
        async () => {
          const t = await churn('TGlobalOrder', 'GGlobalOrder', 1, 600);
          expect(t.distinct).toBe(600);
          expect(t.inversions).toBe(0);
          expect(t.overlaps).toBe(0);
          // a clean hand-over: the next owner starts right after the last committed message
          expect(t.duplicates).toBeLessThanOrEqual(16);
        },
        90_000,
      );

      it.skipIf(lacks(target, 'LOCK_BATCH_MQ'))(
        `a partitionally ordered topic (selector by key) keeps each key in order while consumers leave and join${needs(target, 'LOCK_BATCH_MQ')}`,
        async () => {
          const t = await churn('TPartitionOrder', 'GPartitionOrder', 12, 1200);
          expect(t.distinct).toBe(1200);
          expect(t.inversions).toBe(0);
          expect(t.overlaps).toBe(0);
          expect(t.duplicates).toBeLessThanOrEqual(64);
          // the joiner took queues over from the others
          expect(t.byConsumer.get('c3') ?? 0).toBeGreaterThan(0);
        },
        90_000,
      );

      it.skipIf(lacks(target, 'LOCK_BATCH_MQ', 'RETRY_TO_DLQ'))(
        `SUSPEND_CURRENT_QUEUE_A_MOMENT retries locally in order, then the message goes to %DLQ% and the queue moves on${needs(target, 'LOCK_BATCH_MQ', 'RETRY_TO_DLQ')}`,
        async () => {
          const deliveries: string[] = [];
          const c = new PushConsumer({
            group: 'GSuspend',
            namesrvAddr: cluster.namesrvAddr,
            instanceName: 'suspend',
            consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
            maxReconsumeTimes: 2,
            suspendCurrentQueueTimeMillis: 100,
          });
          started.push(c);
          c.subscribe('TSuspend', '*');
          c.registerMessageListener(
            async (msgs) => {
              const m = msgs[0]!;
              deliveries.push(`${m.bodyText()}@${m.reconsumeTimes}`);
              if (m.bodyText() === 'poison') return 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
              if (m.bodyText() === 'throws') throw new Error('a throw suspends too');
              return 'SUCCESS';
            },
            { orderly: true },
          );
          await c.start();
          for (const body of ['a', 'poison', 'b'])
            await producer.send(new Message({ topic: 'TSuspend', body }));
          expect(await waitFor(() => deliveries.includes('b@0'), 30_000)).toBe(true);
          expect(deliveries).toEqual(['a@0', 'poison@0', 'poison@1', 'poison@2', 'b@0']);
          await c.shutdown();
          const dead = await readDeadLetters(cluster.namesrvAddr, producer, 'GSuspend', 1);
          expect(dead.map((m) => [m.bodyText(), m.reconsumeTimes, m.properties.RETRY_TOPIC])).toEqual([
            ['poison', 2, 'TSuspend'],
          ]);
        },
        60_000,
      );
    });
});
