/**
 * PushConsumer against real NameServer and broker processes (reference RocketMQ 4.9.8 or CometMQ, see
 * test/helpers/mq-cluster.ts): clustering exactly-once with stable membership, membership changes
 * without loss, broadcasting, ordered sending, restart from the committed offset, retries.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LitePullConsumer,
  Message,
  Producer,
  PushConsumer,
  selectMessageQueueByHash,
} from '../../src/index.js';
import { type StartedCluster, startCluster, testTargets } from '../helpers/mq-cluster.js';
import { lacks, needs } from './broker-features.js';
import { balanced, sendMany, Tally, waitFor } from './client-test-utils.js';

const targets = testTargets();

describe.skipIf(targets.length === 0)('PushConsumer', () => {
  for (const target of targets)
    describe(`against ${target}`, () => {
      let cluster: StartedCluster;
      let producer: Producer;
      let offsetDir = '';
      const started: (PushConsumer | LitePullConsumer | Producer)[] = [];

      beforeAll(async () => {
        cluster = await startCluster(target);
        offsetDir = await mkdtemp(join(tmpdir(), 'cometmq-offsets-'));
        producer = new Producer({ group: 'PushTestProducer', namesrvAddr: cluster.namesrvAddr });
        await producer.start();
        for (const t of ['T8', 'TChurn', 'TBroadcast', 'TOrder', 'TRestart', 'TRetry'])
          await producer.createTopic('TBW102', t, 8);
      }, 120_000);

      afterAll(async () => {
        await Promise.allSettled(started.map((c) => c.shutdown()));
        await producer?.shutdown();
        await cluster?.shutdown();
        if (offsetDir) await rm(offsetDir, { recursive: true, force: true });
      }, 60_000);

      function pushConsumer(
        group: string,
        topic: string,
        instanceName: string,
        tally: Tally,
        extra: Partial<ConstructorParameters<typeof PushConsumer>[0]> = {},
      ): PushConsumer {
        const c = new PushConsumer({
          group,
          namesrvAddr: cluster.namesrvAddr,
          instanceName,
          consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
          offsetStoreDir: offsetDir,
          ...extra,
        });
        c.subscribe(topic, '*');
        c.registerMessageListener(async (msgs) => {
          for (const m of msgs) tally.add(m.bodyText());
          return 'CONSUME_SUCCESS';
        });
        started.push(c);
        return c;
      }

      it('three consumers in one group on 8 queues get each of 10,000 messages exactly once', async () => {
        const tally = new Tally();
        const consumers = [0, 1, 2].map((i) => pushConsumer('G3', 'T8', `g3-${i}`, tally));
        for (const c of consumers) await c.start();
        expect(await waitFor(() => balanced(consumers, 'T8', 8), 30_000)).toBe(true);
        await sendMany(producer, 'T8', 'm', 10_000, 64);
        await waitFor(() => tally.distinct >= 10_000, 60_000);
        await new Promise((r) => setTimeout(r, 500)); // late duplicates would show up here
        expect(tally.distinct).toBe(10_000);
        expect(tally.duplicates).toBe(0);
        for (let i = 0; i < 10_000; i++) expect(tally.counts.get(`m${i}`)).toBe(1);
        await Promise.all(consumers.map((c) => c.shutdown()));
      }, 120_000);

      it('loses nothing when a consumer leaves mid-stream and another joins', async () => {
        const tally = new Tally();
        const consumers = [0, 1, 2].map((i) => pushConsumer('GChurn', 'TChurn', `churn-${i}`, tally));
        for (const c of consumers) await c.start();
        expect(await waitFor(() => balanced(consumers, 'TChurn', 8), 30_000)).toBe(true);
        const N = 6000;
        const sending = (async () => {
          for (let part = 0; part < 6; part++) {
            await sendMany(producer, 'TChurn', `c${part}-`, N / 6, 16);
            await new Promise((r) => setTimeout(r, 300));
          }
        })();
        await waitFor(() => tally.distinct >= N / 4, 30_000);
        await consumers[0]!.shutdown();
        const joiner = pushConsumer('GChurn', 'TChurn', 'churn-3', tally);
        await joiner.start();
        await sending;
        await waitFor(() => tally.distinct >= N, 60_000);
        const missing: string[] = [];
        for (let part = 0; part < 6; part++)
          for (let i = 0; i < N / 6; i++)
            if (!tally.counts.has(`c${part}-${i}`)) missing.push(`c${part}-${i}`);
        console.log(`membership change: ${tally.distinct} distinct, ${tally.duplicates} duplicates of ${N}`);
        expect(missing).toEqual([]);
        // redelivery is allowed across a membership change, but only of what was in flight
        expect(tally.duplicates).toBeLessThan(N / 10);
        await Promise.all([consumers[1]!, consumers[2]!, joiner].map((c) => c.shutdown()));
      }, 120_000);

      it('broadcasting gives every consumer every message', async () => {
        const tallies = [new Tally(), new Tally()];
        const consumers = tallies.map((t, i) =>
          pushConsumer('GBroadcast', 'TBroadcast', `bc-${i}`, t, { messageModel: 'BROADCASTING' }),
        );
        for (const c of consumers) await c.start();
        expect(
          await waitFor(
            () =>
              consumers.every(
                (c) => c.assignedMessageQueues().filter((q) => q.topic === 'TBroadcast').length === 8,
              ),
            30_000,
          ),
        ).toBe(true);
        await sendMany(producer, 'TBroadcast', 'b', 1000);
        await waitFor(() => tallies.every((t) => t.distinct >= 1000), 30_000);
        for (const t of tallies) expect(t.distinct).toBe(1000);
        await Promise.all(consumers.map((c) => c.shutdown()));
      }, 60_000);

      it('ordered sending with a selector keeps each key in one queue, in order', async () => {
        const keys = 10;
        const perKey = 50;
        await Promise.all(
          Array.from({ length: keys }, async (_, k) => {
            for (let seq = 0; seq < perKey; seq++) {
              const r = await producer.send(
                new Message({ topic: 'TOrder', body: `${k}:${seq}`, keys: `order-${k}` }),
                selectMessageQueueByHash,
                `order-${k}`,
              );
              expect(r.status).toBe('SEND_OK');
            }
          }),
        );
        const pull = new LitePullConsumer({
          group: 'GOrder',
          namesrvAddr: cluster.namesrvAddr,
          consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
          instanceName: 'order',
        });
        started.push(pull);
        pull.subscribe('TOrder', '*');
        await pull.start();
        const seen: { k: number; seq: number; queueId: number; offset: number }[] = [];
        const deadline = Date.now() + 30_000;
        while (seen.length < keys * perKey && Date.now() < deadline) {
          for (const m of await pull.poll(500)) {
            const [k, seq] = m.bodyText().split(':').map(Number);
            seen.push({ k: k!, seq: seq!, queueId: m.queueId, offset: m.queueOffset });
          }
        }
        expect(seen.length).toBe(keys * perKey);
        for (let k = 0; k < keys; k++) {
          const mine = seen.filter((s) => s.k === k).sort((a, b) => a.offset - b.offset);
          expect(new Set(mine.map((s) => s.queueId)).size).toBe(1);
          expect(mine.map((s) => s.seq)).toEqual(Array.from({ length: perKey }, (_, i) => i));
        }
        await pull.shutdown();
      }, 60_000);

      it('a restarted consumer continues from its committed offset', async () => {
        const first = new Tally();
        const c1 = pushConsumer('GRestart', 'TRestart', 'restart', first);
        await c1.start();
        await sendMany(producer, 'TRestart', 'old', 500);
        await waitFor(() => first.distinct >= 500, 30_000);
        expect(first.distinct).toBe(500);
        await c1.shutdown();
        await sendMany(producer, 'TRestart', 'new', 300);
        const second = new Tally();
        const c2 = pushConsumer('GRestart', 'TRestart', 'restart', second);
        await c2.start();
        await waitFor(() => second.distinct >= 300, 30_000);
        await new Promise((r) => setTimeout(r, 500));
        expect(second.distinct).toBe(300);
        expect([...second.counts.keys()].every((b) => b.startsWith('new'))).toBe(true);
        await c2.shutdown();
      }, 60_000);

      it.skipIf(lacks(target, 'DELAY_LEVEL_DELIVERY'))(
        `a message the listener rejects comes back from the retry topic with its original topic${needs(target, 'DELAY_LEVEL_DELIVERY')}`,
        async () => {
          const c = new PushConsumer({
            group: 'GRetry',
            namesrvAddr: cluster.namesrvAddr,
            instanceName: 'retry',
            consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
          });
          started.push(c);
          c.subscribe('TRetry', '*');
          const deliveries: { topic: string; reconsumeTimes: number; body: string; a: string | undefined }[] =
            [];
          c.registerMessageListener((msgs, ctx) => {
            const m = msgs[0]!;
            deliveries.push({
              topic: m.topic,
              reconsumeTimes: m.reconsumeTimes,
              body: m.bodyText(),
              a: m.properties.a,
            });
            if (m.reconsumeTimes === 0) {
              ctx.delayLevelWhenNextConsume = 1; // 1 s instead of the default 10 s for the first retry
              return 'RECONSUME_LATER';
            }
            return 'CONSUME_SUCCESS';
          });
          await c.start();
          await producer.send(new Message({ topic: 'TRetry', body: 'try me', properties: { a: '1' } }));
          expect(await waitFor(() => deliveries.length >= 2, 40_000)).toBe(true);
          expect(deliveries[0]).toEqual({ topic: 'TRetry', reconsumeTimes: 0, body: 'try me', a: '1' });
          expect(deliveries[1]).toEqual({ topic: 'TRetry', reconsumeTimes: 1, body: 'try me', a: '1' });
          await c.shutdown();
        },
        60_000,
      );
    });
});
