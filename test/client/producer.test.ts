/** Producer against real servers: results, auto-created topics, compression, batches, oneway, errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LitePullConsumer, Message, type MessageExt, MQClientError, Producer } from '../../src/index.js';
import { type StartedCluster, startCluster, testTargets } from '../helpers/mq-cluster.js';

const targets = testTargets();

describe.skipIf(targets.length === 0)('Producer', () => {
  for (const target of targets)
    describe(`against ${target}`, () => {
      let cluster: StartedCluster;
      let producer: Producer;

      beforeAll(async () => {
        cluster = await startCluster(target);
        producer = new Producer({ group: 'ProducerTest', namesrvAddr: cluster.namesrvAddr });
        await producer.start();
      }, 120_000);

      afterAll(async () => {
        await producer?.shutdown();
        await cluster?.shutdown();
      }, 60_000);

      async function readAll(topic: string, want: number): Promise<MessageExt[]> {
        const c = new LitePullConsumer({
          group: `read-${topic}`,
          namesrvAddr: cluster.namesrvAddr,
          consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
          instanceName: `read-${topic}`,
        });
        c.subscribe(topic, '*');
        await c.start();
        const out: MessageExt[] = [];
        // past one rebalance period (20 s): a queue whose first offset query fails (a busy, cold JVM
        // broker on a loaded CI machine) is picked up at the next rebalance, as the Java client does
        const deadline = Date.now() + 45_000;
        while (out.length < want && Date.now() < deadline) out.push(...(await c.poll(300)));
        await c.shutdown();
        return out;
      }

      it('sends to a topic that does not exist yet (auto-created from TBW102) and reads it back intact', async () => {
        const msg = new Message({
          topic: 'PAuto',
          body: 'hello',
          tags: 'TagA',
          keys: ['k1', 'k2'],
          properties: { a: '1' },
        });
        const r = await producer.send(msg);
        expect(r.status).toBe('SEND_OK');
        expect(r.msgId).toMatch(/^[0-9A-F]{32}$/);
        expect(r.msgId).toBe(msg.properties.UNIQ_KEY);
        expect(r.offsetMsgId).toMatch(/^[0-9A-F]{32}$/);
        expect(r.messageQueue.topic).toBe('PAuto');
        expect(r.queueOffset).toBe(0);
        const [got] = await readAll('PAuto', 1);
        expect(got!.bodyText()).toBe('hello');
        expect(got!.tags).toBe('TagA');
        expect(got!.keys).toBe('k1 k2');
        expect(got!.properties.a).toBe('1');
        expect(got!.msgId).toBe(r.msgId);
        expect(got!.offsetMsgId).toBe(r.offsetMsgId);
        expect(got!.brokerName).toBe(r.messageQueue.brokerName);
      }, 60_000);

      it('compresses large bodies and the reader gets them back as sent', async () => {
        const body = Buffer.alloc(64 * 1024);
        for (let i = 0; i < body.length; i++) body[i] = i % 251;
        await producer.send(new Message({ topic: 'PBig', body }));
        const [got] = await readAll('PBig', 1);
        expect(got!.sysFlag & 1).toBe(1);
        expect(got!.body.equals(body)).toBe(true);
      }, 60_000);

      it('sends a batch as one request, and oneway messages', async () => {
        const msgs = Array.from(
          { length: 10 },
          (_, i) => new Message({ topic: 'PBatch', body: `b${i}`, keys: `k${i}` }),
        );
        const r = await producer.sendBatch(msgs);
        expect(r.status).toBe('SEND_OK');
        expect(r.msgId.split(',')).toEqual(msgs.map((m) => m.properties.UNIQ_KEY));
        await producer.sendOneway(new Message({ topic: 'PBatch', body: 'oneway' }));
        const got = await readAll('PBatch', 11);
        expect(got.map((m) => m.bodyText()).sort()).toEqual(
          [...msgs.map((m) => m.bodyText()), 'oneway'].sort(),
        );
        const batchOnes = got
          .filter((m) => m.bodyText() !== 'oneway')
          .sort((a, b) => a.queueOffset - b.queueOffset);
        expect(batchOnes.map((m) => m.keys)).toEqual(msgs.map((m) => m.keys));
      }, 60_000);

      it('sends to a chosen queue', async () => {
        await producer.createTopic('TBW102', 'PQueue', 4);
        const mqs = await producer.fetchPublishMessageQueues('PQueue');
        expect(mqs.length).toBe(4);
        const r = await producer.send(new Message({ topic: 'PQueue', body: 'x' }), mqs[2]!);
        expect(r.messageQueue.queueId).toBe(mqs[2]!.queueId);
      }, 30_000);

      it('rejects bad messages with MQClientError and fails cleanly without a NameServer', async () => {
        await expect(producer.send(new Message({ topic: 'bad topic!', body: 'x' }))).rejects.toBeInstanceOf(
          MQClientError,
        );
        await expect(producer.send(new Message({ topic: 'PEmpty', body: '' }))).rejects.toThrow(
          /body length is zero/,
        );
        const lost = new Producer({ group: 'Lost', namesrvAddr: '127.0.0.1:1', instanceName: 'lost' });
        await lost.start();
        const err = await lost.send(new Message({ topic: 'X', body: 'x' })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MQClientError);
        expect((err as MQClientError).message).toMatch(/No route info/);
        await lost.shutdown();
      }, 30_000);
    });
});
