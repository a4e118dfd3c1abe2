/**
 * A broker without enablePropertyFilter refuses SQL92 subscriptions: PushConsumer.start() fails with
 * the broker's answer to CHECK_CLIENT_CONFIG (as DefaultMQPushConsumerImpl.start does), not silently
 * consuming everything. Tag subscriptions of the same group are unaffected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Message, MessageSelector, MQBrokerError, Producer, PushConsumer } from '../../src/index.js';
import { type StartedCluster, startCluster, testTargets } from '../helpers/mq-cluster.js';
import { lacks, needs } from './broker-features.js';
import { waitFor } from './client-test-utils.js';

const targets = testTargets();

describe.skipIf(targets.length === 0)('SQL92 without enablePropertyFilter', () => {
  for (const target of targets)
    describe(`against ${target}`, () => {
      let cluster: StartedCluster;

      beforeAll(async () => {
        cluster = await startCluster(target);
      }, 120_000);

      afterAll(async () => {
        await cluster?.shutdown();
      }, 60_000);

      it.skipIf(lacks(target, 'SQL92_REFUSAL'))(
        `start() rejects with the broker's error, and the consumer can be replaced by a tag one${needs(target, 'SQL92_REFUSAL')}`,
        async () => {
          const producer = new Producer({ group: 'RefusalProducer', namesrvAddr: cluster.namesrvAddr });
          await producer.start();
          try {
            await producer.createTopic('TBW102', 'TRefused', 1);
            await producer.send(new Message({ topic: 'TRefused', body: 'x', properties: { a: '1' } }));
            const sql = new PushConsumer({ group: 'GRefused', namesrvAddr: cluster.namesrvAddr });
            sql.subscribe('TRefused', MessageSelector.bySql('a > 0'));
            sql.registerMessageListener(async () => 'CONSUME_SUCCESS');
            const err = await sql.start().then(
              () => undefined,
              (e: unknown) => e,
            );
            expect(err).toBeInstanceOf(MQBrokerError);
            expect((err as MQBrokerError).responseCode).toBe(1); // SYSTEM_ERROR
            expect((err as MQBrokerError).remark).toBe(
              'The broker does not support consumer to filter message by SQL92',
            );
            // the failed consumer left nothing registered: a tag consumer of the group starts and reads
            const seen: string[] = [];
            const tags = new PushConsumer({
              group: 'GRefused',
              namesrvAddr: cluster.namesrvAddr,
              consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
            });
            tags.subscribe('TRefused', '*');
            tags.registerMessageListener(async (msgs) => {
              for (const m of msgs) seen.push(m.bodyText());
              return 'CONSUME_SUCCESS';
            });
            await tags.start();
            expect(await waitFor(() => seen.length > 0, 20_000)).toBe(true);
            await tags.shutdown();
          } finally {
            await producer.shutdown();
          }
        },
        60_000,
      );
    });
});
