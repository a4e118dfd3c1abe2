/**
 * The calls a broker makes to a consumer for an operator (ClientRemotingProcessor):
 * RESET_CONSUMER_CLIENT_OFFSET after INVOKE_BROKER_TO_RESET_OFFSET (mqadmin resetOffsetByTime), and
 * GET_CONSUMER_STATUS_FROM_CLIENT behind INVOKE_BROKER_TO_GET_CONSUMER_STATUS (mqadmin getConsumerStatus),
 * with our SDK consumer, against CometMQ's broker and the reference 4.9.8.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushConsumer } from '../../src/client/consumer/push-consumer.js';
import { Message } from '../../src/client/message.js';
import { Producer } from '../../src/client/producer/producer.js';
import { RemotingClient } from '../../src/remoting/remoting-client.js';
import { RemotingCommand } from '../../src/remoting/remoting-command.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { type StartedCluster, startCluster, testTargets } from '../helpers/mq-cluster.js';
import { waitFor } from './client-test-utils.js';

const targets = testTargets();

describe.skipIf(targets.length === 0)('broker to client admin calls', () => {
  for (const target of targets)
    describe(`against ${target}`, () => {
      let cluster: StartedCluster;
      let producer: Producer;
      let consumer: PushConsumer | undefined;
      const admin = new RemotingClient();

      beforeAll(async () => {
        cluster = await startCluster(target);
        producer = new Producer({ group: 'ResetTestProducer', namesrvAddr: cluster.namesrvAddr });
        await producer.start();
        await producer.createTopic('TBW102', 'TReset', 2);
      }, 120_000);

      afterAll(async () => {
        await consumer?.shutdown();
        await producer?.shutdown();
        await admin.shutdown();
        await cluster?.shutdown();
      }, 60_000);

      it('reports the consumer offsets, then a reset by time delivers the messages again', async () => {
        const consumed: string[] = [];
        const c = new PushConsumer({
          group: 'GReset',
          namesrvAddr: cluster.namesrvAddr,
          instanceName: 'reset',
          consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
        });
        consumer = c;
        c.subscribe('TReset', '*');
        c.registerMessageListener(async (msgs) => {
          for (const m of msgs) consumed.push(m.bodyText());
          return 'CONSUME_SUCCESS';
        });
        await c.start();
        for (let i = 0; i < 4; i++) await producer.send(new Message({ topic: 'TReset', body: `m${i}` }));
        expect(await waitFor(() => consumed.length >= 4, 20_000)).toBe(true);

        const status = await admin.invokeSync(
          cluster.brokerAddr,
          RemotingCommand.request(RequestCode.INVOKE_BROKER_TO_GET_CONSUMER_STATUS, {
            topic: 'TReset',
            group: 'GReset',
          }),
          10_000,
        );
        expect(status.code).toBe(0);
        const text = status.body!.toString();
        // {"consumerTable":{"<clientId>":{{mq}:offset,...}},"messageQueueTable":{}}
        expect(text).toContain(`"consumerTable":{${JSON.stringify(c.clientId!)}:{`);
        const offsets = [...text.matchAll(/"topic":"TReset"\}:(\d+)/g)].map((m) => Number(m[1]));
        expect(offsets.length).toBe(2);
        expect(offsets.reduce((a, b) => a + b, 0)).toBe(4);

        const reset = await admin.invokeSync(
          cluster.brokerAddr,
          RemotingCommand.request(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, {
            topic: 'TReset',
            group: 'GReset',
            timestamp: 0,
            isForce: true,
          }),
          10_000,
        );
        expect(reset.code).toBe(0);
        // every message once more, from the start of each queue (RocketMQ's client waits 10 s first)
        expect(await waitFor(() => consumed.length >= 8, 40_000)).toBe(true);
        expect([...consumed].sort()).toEqual(['m0', 'm0', 'm1', 'm1', 'm2', 'm2', 'm3', 'm3']);
      }, 90_000);
    });
});
