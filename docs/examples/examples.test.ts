/** Runs every example of docs/client.md against live servers, so no example there can rot. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Message, Producer } from '../../src/index.js';
import { lacks, needs } from '../../test/client/broker-features.js';
import { type StartedCluster, startCluster, testTargets } from '../../test/helpers/mq-cluster.js';
import { main as litePull } from './lite-pull.js';
import { main as ordered } from './ordered.js';
import { main as pushConsumer } from './push-consumer.js';
import { main as quickstart } from './quickstart.js';
import { main as replay } from './replay.js';

const targets = testTargets();

describe.skipIf(targets.length === 0)('docs/examples', () => {
  for (const target of targets)
    describe(`against ${target}`, () => {
      let cluster: StartedCluster;

      beforeAll(async () => {
        cluster = await startCluster(target);
      }, 120_000);

      afterAll(async () => {
        await cluster?.shutdown();
      }, 60_000);

      it('quickstart.ts: send, push-consume and poll one message', async () => {
        const { pushed, pulled } = await quickstart(cluster.namesrvAddr);
        expect(pushed).toEqual(['hello']);
        expect(pulled.map((m) => [m.bodyText(), m.tags, m.keys, m.properties.a])).toEqual([
          ['hello', 'TagA', 'k1', '1'],
        ]);
      }, 60_000);

      it('ordered.ts: each order stays in one queue', async () => {
        const queues = await ordered(cluster.namesrvAddr);
        expect(queues.size).toBe(3);
        for (const list of queues.values()) expect(new Set(list.map((q) => q.queueId)).size).toBe(1);
      }, 60_000);

      it('lite-pull.ts: for await reads every message', async () => {
        const p = new Producer({ group: 'ExamplesSetup', namesrvAddr: cluster.namesrvAddr });
        await p.start();
        for (let i = 0; i < 5; i++) await p.send(new Message({ topic: 'ExamplesIter', body: `m${i}` }));
        await p.shutdown();
        expect((await litePull(cluster.namesrvAddr, 'ExamplesIter', 5)).sort()).toEqual([
          'm0',
          'm1',
          'm2',
          'm3',
          'm4',
        ]);
      }, 60_000);

      // the retry half needs the broker's delay levels (test/client/broker-features.ts)
      it.skipIf(lacks(target, 'DELAY_LEVEL_DELIVERY'))(
        `push-consumer.ts: a rejected message comes back and is handled${needs(target, 'DELAY_LEVEL_DELIVERY')}`,
        async () => {
          const p = new Producer({ group: 'ExamplesSetup', namesrvAddr: cluster.namesrvAddr });
          await p.start();
          await p.send(new Message({ topic: 'ExamplesPush', body: 'ok' }));
          await p.send(new Message({ topic: 'ExamplesPush', body: 'fail once' }));
          await p.shutdown();
          const handled = await pushConsumer(cluster.namesrvAddr, 'ExamplesPush', 2);
          expect(handled.map((m) => [m.bodyText(), m.reconsumeTimes]).sort()).toEqual([
            ['fail once', 1],
            ['ok', 0],
          ]);
        },
        60_000,
      );

      it('replay.ts: seek to a timestamp re-reads only newer messages', async () => {
        expect(await replay(cluster.namesrvAddr)).toEqual(['new 1', 'new 2']);
      }, 60_000);
    });
});
