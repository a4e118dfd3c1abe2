/**
 * Runs the issue 9 examples of docs/client.md (orderly, transactions, SQL92, request/reply, dead
 * letters) against live servers set up for them; CometMQ runs skip what its broker lacks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LitePullConsumer,
  Message,
  MessageSelector,
  Producer,
  selectMessageQueueByHash,
} from '../../src/index.js';
import { ADVANCED_BROKER_ARGS, lacks, needs } from '../../test/client/broker-features.js';
import { readDeadLetters } from '../../test/client/client-test-utils.js';
import { type StartedCluster, startCluster, testTargets } from '../../test/helpers/mq-cluster.js';
import { main as deadLetter } from './dead-letter.js';
import { main as orderly } from './orderly.js';
import { main as requestReply } from './request-reply.js';
import { main as sqlFilter } from './sql-filter.js';
import { main as transaction } from './transaction.js';

const targets = testTargets();

describe.skipIf(targets.length === 0)('docs/examples (advanced messaging)', () => {
  for (const target of targets)
    describe(`against ${target}`, () => {
      let cluster: StartedCluster;
      let producer: Producer;

      beforeAll(async () => {
        cluster = await startCluster(target, { brokerArgs: [...ADVANCED_BROKER_ARGS] });
        producer = new Producer({ group: 'AdvancedExamplesSetup', namesrvAddr: cluster.namesrvAddr });
        await producer.start();
      }, 120_000);

      afterAll(async () => {
        await producer?.shutdown();
        await cluster?.shutdown();
      }, 60_000);

      it.skipIf(lacks(target, 'LOCK_BATCH_MQ'))(
        `orderly.ts: each order's steps are handled in order${needs(target, 'LOCK_BATCH_MQ')}`,
        async () => {
          await producer.createTopic('TBW102', 'OrderSteps', 4);
          for (const step of ['created', 'paid', 'shipped'])
            for (const order of ['o1', 'o2', 'o3'])
              await producer.send(
                new Message({ topic: 'OrderSteps', body: `${order}:${step}` }),
                selectMessageQueueByHash,
                order,
              );
          const handled = await orderly(cluster.namesrvAddr, 'OrderSteps', 9);
          for (const order of ['o1', 'o2', 'o3'])
            expect(handled.filter((b) => b.startsWith(order))).toEqual([
              `${order}:created`,
              `${order}:paid`,
              `${order}:shipped`,
            ]);
        },
        60_000,
      );

      it.skipIf(lacks(target, 'TRANSACTION'))(
        `transaction.ts: a failing local transaction rolls back, the others commit${needs(target, 'TRANSACTION')}`,
        async () => {
          await producer.createTopic('TBW102', 'OrderPaid', 1);
          expect(await transaction(cluster.namesrvAddr, ['1', '2', '3'], new Set(['2']))).toEqual([
            'COMMIT_MESSAGE',
            'ROLLBACK_MESSAGE',
            'COMMIT_MESSAGE',
          ]);
          // what consumers see: the committed ones only
          const reader = new LitePullConsumer({
            group: 'OrderPaidReader',
            namesrvAddr: cluster.namesrvAddr,
            consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
          });
          reader.subscribe('OrderPaid', MessageSelector.byTag('*'));
          await reader.start();
          const bodies: string[] = [];
          for (let i = 0; i < 20 && bodies.length < 2; i++)
            for (const m of await reader.poll(500)) bodies.push(m.bodyText());
          await new Promise((r) => setTimeout(r, 500));
          for (const m of await reader.poll(100)) bodies.push(m.bodyText());
          await reader.shutdown();
          expect(bodies.sort()).toEqual(['order 1 paid', 'order 3 paid']);
        },
        60_000,
      );

      it.skipIf(lacks(target, 'SQL92_FILTER'))(
        `sql-filter.ts: only hot readings from 'eu' arrive${needs(target, 'SQL92_FILTER')}`,
        async () => {
          expect(await sqlFilter(cluster.namesrvAddr)).toEqual(['eu 31', 'eu 35']);
        },
        60_000,
      );

      it.skipIf(lacks(target, 'REQUEST_REPLY'))(
        `request-reply.ts: the client gets the service's answer${needs(target, 'REQUEST_REPLY')}`,
        async () => {
          expect(await requestReply(cluster.namesrvAddr)).toEqual(['42.00']);
        },
        60_000,
      );

      it.skipIf(lacks(target, 'DELAY_LEVEL_DELIVERY', 'RETRY_TO_DLQ'))(
        `dead-letter.ts: a message failing every time is tried three times, then dead-lettered${needs(target, 'DELAY_LEVEL_DELIVERY', 'RETRY_TO_DLQ')}`,
        async () => {
          await producer.createTopic('TBW102', 'InvoicesIn', 1);
          await producer.send(new Message({ topic: 'InvoicesIn', body: 'fine' }));
          await producer.send(new Message({ topic: 'InvoicesIn', body: 'poison' }));
          expect(await deadLetter(cluster.namesrvAddr, 'InvoicesIn')).toEqual([0, 1, 2]);
          const dead = await readDeadLetters(cluster.namesrvAddr, producer, 'Invoices', 1);
          expect(dead.map((m) => m.bodyText())).toEqual(['poison']);
        },
        60_000,
      );
    });
});
