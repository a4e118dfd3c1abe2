/** LitePullConsumer against real servers: subscribe + poll, async iteration, seek by timestamp, assign, commits. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LitePullConsumer, Message, type MessageExt, Producer } from '../../src/index.js';
import { type StartedCluster, startCluster, testTargets } from '../helpers/mq-cluster.js';
import { sendMany } from './client-test-utils.js';

const targets = testTargets();

async function pollUntil(c: LitePullConsumer, want: number, timeoutMs: number): Promise<MessageExt[]> {
  const out: MessageExt[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < want && Date.now() < deadline) out.push(...(await c.poll(300)));
  return out;
}

describe.skipIf(targets.length === 0)('LitePullConsumer', () => {
  for (const target of targets)
    describe(`against ${target}`, () => {
      let cluster: StartedCluster;
      let producer: Producer;
      const started: LitePullConsumer[] = [];

      beforeAll(async () => {
        cluster = await startCluster(target);
        producer = new Producer({ group: 'LitePullTestProducer', namesrvAddr: cluster.namesrvAddr });
        await producer.start();
        for (const t of ['LSeek', 'LAssign', 'LIter']) await producer.createTopic('TBW102', t, 4);
      }, 120_000);

      afterAll(async () => {
        await Promise.allSettled(started.map((c) => c.shutdown()));
        await producer?.shutdown();
        await cluster?.shutdown();
      }, 60_000);

      function consumer(
        group: string,
        extra: Partial<ConstructorParameters<typeof LitePullConsumer>[0]> = {},
      ): LitePullConsumer {
        const c = new LitePullConsumer({
          group,
          namesrvAddr: cluster.namesrvAddr,
          consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
          instanceName: group,
          ...extra,
        });
        started.push(c);
        return c;
      }

      it('polls everything, then re-reads from a timestamp after seek', async () => {
        await sendMany(producer, 'LSeek', 'before', 200);
        await new Promise((r) => setTimeout(r, 1100));
        const mark = Date.now();
        await new Promise((r) => setTimeout(r, 100));
        await sendMany(producer, 'LSeek', 'after', 200);
        const c = consumer('LPSeek');
        c.subscribe('LSeek', '*');
        await c.start();
        const all = await pollUntil(c, 400, 30_000);
        expect(new Set(all.map((m) => m.bodyText())).size).toBe(400);
        expect(c.assignment().length).toBe(4);
        for (const mq of c.assignment()) await c.seekToTimestamp(mq, mark);
        const again = await pollUntil(c, 200, 30_000);
        const bodies = new Set(again.map((m) => m.bodyText()));
        expect(bodies.size).toBe(200);
        expect([...bodies].every((b) => b.startsWith('after'))).toBe(true);
        // seek to an explicit offset: the beginning of one queue
        const mq = c.assignment()[0]!;
        await c.seek(mq, 0);
        const fromZero = await pollUntil(c, 1, 10_000);
        expect(fromZero[0]!.queueOffset).toBe(0);
        await expect(c.seek(mq, 1_000_000)).rejects.toThrow(/Seek offset illegal/);
        await c.shutdown();
      }, 90_000);

      it('assign reads chosen queues; manual commit is what a new consumer of the group starts from', async () => {
        const c = consumer('LPAssign', { autoCommit: false });
        await c.start();
        const mqs = await c.fetchMessageQueues('LAssign');
        expect(mqs.length).toBe(4);
        const q0 = mqs.find((q) => q.queueId === 0)!;
        c.assign([q0]);
        for (let i = 0; i < 20; i++)
          await producer.send(new Message({ topic: 'LAssign', body: `a${i}`, tags: 'T' }), q0);
        const got = await pollUntil(c, 20, 20_000);
        expect(got.map((m) => m.bodyText())).toEqual(Array.from({ length: 20 }, (_, i) => `a${i}`));
        expect(got.every((m) => m.queueId === 0 && m.tags === 'T')).toBe(true);
        await c.commit(q0, 15);
        expect(await c.committed(q0)).toBe(15);
        await c.shutdown();

        // same group as c, so it starts from the committed offset
        const again = new LitePullConsumer({
          group: 'LPAssign',
          namesrvAddr: cluster.namesrvAddr,
          instanceName: 'LPAssign-b',
          consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
        });
        started.push(again);
        await again.start();
        again.assign([q0]);
        const rest = await pollUntil(again, 5, 20_000);
        expect(rest.map((m) => m.bodyText())).toEqual(['a15', 'a16', 'a17', 'a18', 'a19']);
        await again.shutdown();
      }, 90_000);

      it('iterates with for await and auto-commits on shutdown', async () => {
        await sendMany(producer, 'LIter', 'it', 100);
        const c = consumer('LPIter', { autoCommitIntervalMillis: 100 });
        c.subscribe('LIter', '*');
        await c.start();
        const seen = new Set<string>();
        for await (const m of c) {
          seen.add(m.bodyText());
          if (seen.size === 100) break;
        }
        expect(seen.size).toBe(100);
        await c.shutdown();
        const after = consumer('LPIter', { instanceName: 'LPIter-2' });
        after.subscribe('LIter', '*');
        await after.start();
        expect(await pollUntil(after, 1, 3000)).toEqual([]);
        await after.shutdown();
      }, 60_000);
    });
});
