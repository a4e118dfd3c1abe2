/** The SDK rides out a broker restart: sends fail over time-bounded retries, consumers resume from their offsets. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Message, MQClientError, Producer, PushConsumer, RemotingError } from '../../src/index.js';
import { type StartedCluster, startCluster, testTargets } from '../helpers/mq-cluster.js';
import { sendMany, Tally, waitFor } from './client-test-utils.js';

const targets = testTargets();

describe.skipIf(targets.length === 0)('broker restart', () => {
  for (const target of targets)
    describe(`against ${target}`, () => {
      let cluster: StartedCluster;

      beforeAll(async () => {
        cluster = await startCluster(target);
      }, 120_000);

      afterAll(async () => {
        await cluster?.shutdown();
      }, 60_000);

      it('a consumer gets everything sent before and after the broker came back', async () => {
        const producer = new Producer({
          group: 'RestartP',
          namesrvAddr: cluster.namesrvAddr,
          instanceName: 'rp',
        });
        await producer.start();
        await producer.createTopic('TBW102', 'TBounce', 4);
        const tally = new Tally();
        const consumer = new PushConsumer({
          group: 'RestartC',
          namesrvAddr: cluster.namesrvAddr,
          instanceName: 'rc',
          consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
          persistConsumerOffsetInterval: 500,
        });
        consumer.subscribe('TBounce', '*');
        consumer.registerMessageListener(async (msgs) => {
          for (const m of msgs) tally.add(m.bodyText());
          return 'CONSUME_SUCCESS';
        });
        await consumer.start();
        await sendMany(producer, 'TBounce', 'before', 300);
        await waitFor(() => tally.distinct >= 300, 20_000);
        await new Promise((r) => setTimeout(r, 1000)); // let offsets reach the broker

        await cluster.stop();
        const err = await producer
          .send(new Message({ topic: 'TBounce', body: 'lost' }), { timeoutMs: 1000 })
          .catch((e: unknown) => e);
        expect(err instanceof RemotingError || err instanceof MQClientError).toBe(true);
        await cluster.restart();

        // sends succeed again once the connection is re-established (bounded)
        let sent = false;
        for (let i = 0; i < 100 && !sent; i++) {
          sent = await producer.send(new Message({ topic: 'TBounce', body: 'after-first' })).then(
            () => true,
            () => false,
          );
          if (!sent) await new Promise((r) => setTimeout(r, 200));
        }
        expect(sent).toBe(true);
        await sendMany(producer, 'TBounce', 'after', 300);
        await waitFor(
          () =>
            tally.counts.has('after-first') &&
            [...Array(300).keys()].every((i) => tally.counts.has(`after${i}`)),
          60_000,
        );
        for (let i = 0; i < 300; i++) {
          expect(tally.counts.has(`before${i}`)).toBe(true);
          expect(tally.counts.has(`after${i}`)).toBe(true);
        }
        console.log(`broker restart (${target}): ${tally.duplicates} duplicates of ${tally.distinct}`);
        await consumer.shutdown();
        await producer.shutdown();
      }, 120_000);
    });
});
