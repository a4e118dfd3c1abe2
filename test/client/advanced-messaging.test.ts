/**
 * The SDK side of issue 9 against a broker set up for it (ADVANCED_BROKER_ARGS): transactional
 * messages (commit, rollback, check-back), SQL92 subscriptions, request/reply, retries ending in the
 * DLQ after the consumer's maxReconsumeTimes, and the admin requests a broker forwards to a consumer.
 * Each test names the broker features it needs; CometMQ runs skip those its broker lacks.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLenientJson } from '../../src/common/lenient-json.js';
import {
  type LocalTransactionState,
  Message,
  type MessageExt,
  MessageSelector,
  MQBrokerError,
  MQRequestTimeoutError,
  Producer,
  PushConsumer,
  TransactionProducer,
} from '../../src/index.js';
import { RemotingClient } from '../../src/remoting/remoting-client.js';
import { RemotingCommand } from '../../src/remoting/remoting-command.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { REFERENCE_HOME, type StartedCluster, startCluster, testTargets } from '../helpers/mq-cluster.js';
import { ADVANCED_BROKER_ARGS, lacks, needs } from './broker-features.js';
import { readDeadLetters, waitFor } from './client-test-utils.js';

const targets = testTargets();

describe.skipIf(targets.length === 0)('advanced messaging', () => {
  for (const target of targets)
    describe(`against ${target}`, () => {
      let cluster: StartedCluster;
      let producer: Producer;
      const started: { shutdown(): Promise<void> }[] = [];

      beforeAll(async () => {
        cluster = await startCluster(target, { brokerArgs: [...ADVANCED_BROKER_ARGS] });
        producer = new Producer({ group: 'AdvancedTestProducer', namesrvAddr: cluster.namesrvAddr });
        await producer.start();
        for (const t of ['TTx', 'TSql', 'TRequest', 'TDlq', 'TNobody'])
          await producer.createTopic('TBW102', t, 2);
      }, 120_000);

      afterAll(async () => {
        await Promise.allSettled(started.map((c) => c.shutdown()));
        await producer?.shutdown();
        await cluster?.shutdown();
      }, 60_000);

      function consumer(group: string, instanceName: string, extra = {}): PushConsumer {
        const c = new PushConsumer({
          group,
          namesrvAddr: cluster.namesrvAddr,
          instanceName,
          consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
          ...extra,
        });
        started.push(c);
        return c;
      }

      it.skipIf(lacks(target, 'TRANSACTION'))(
        `transactions: a commit is delivered, a rollback never, an UNKNOW is checked back and committed${needs(target, 'TRANSACTION')}`,
        async () => {
          const seen: string[] = [];
          const c = consumer('GTx', 'tx');
          c.subscribe('TTx', '*');
          c.registerMessageListener(async (msgs) => {
            for (const m of msgs) seen.push(m.bodyText());
            return 'CONSUME_SUCCESS';
          });
          await c.start();
          const executed: [string, unknown][] = [];
          const checked: MessageExt[] = [];
          const tx = new TransactionProducer({
            group: 'GTxProducer',
            namesrvAddr: cluster.namesrvAddr,
            instanceName: 'tx-producer',
            executeLocalTransaction: async (msg, arg) => {
              executed.push([msg.bodyText(), arg]);
              return arg as LocalTransactionState;
            },
            checkLocalTransaction: async (msg) => {
              checked.push(msg);
              return 'COMMIT_MESSAGE';
            },
          });
          started.push(tx);
          await tx.start();
          const commit = await tx.sendMessageInTransaction(
            new Message({ topic: 'TTx', body: 'commit' }),
            'COMMIT_MESSAGE',
          );
          expect(commit.status).toBe('SEND_OK');
          expect(commit.localTransactionState).toBe('COMMIT_MESSAGE');
          const rollback = await tx.sendMessageInTransaction(
            new Message({ topic: 'TTx', body: 'rollback' }),
            'ROLLBACK_MESSAGE',
          );
          expect(rollback.localTransactionState).toBe('ROLLBACK_MESSAGE');
          const unknown = await tx.sendMessageInTransaction(
            new Message({ topic: 'TTx', body: 'unknown', properties: { order: '42' } }),
            'UNKNOW',
          );
          expect(unknown.localTransactionState).toBe('UNKNOW');
          expect(executed).toEqual([
            ['commit', 'COMMIT_MESSAGE'],
            ['rollback', 'ROLLBACK_MESSAGE'],
            ['unknown', 'UNKNOW'],
          ]);
          expect(await waitFor(() => seen.includes('commit') && seen.includes('unknown'), 30_000)).toBe(true);
          // the check-back carried the half message
          expect(checked.length).toBeGreaterThanOrEqual(1);
          expect(checked[0]!.bodyText()).toBe('unknown');
          expect(checked[0]!.properties.order).toBe('42');
          expect(checked[0]!.msgId).toBe(unknown.msgId);
          // a message sent after the rollback is seen, the rolled-back one never
          await producer.send(new Message({ topic: 'TTx', body: 'marker' }));
          expect(await waitFor(() => seen.includes('marker'), 10_000)).toBe(true);
          expect(seen.filter((b) => b === 'rollback')).toEqual([]);
          expect(seen.filter((b) => b === 'commit')).toEqual(['commit']);
        },
        60_000,
      );

      it.skipIf(lacks(target, 'SQL92_FILTER'))(
        `SQL92: a subscription by property delivers only the matching messages${needs(target, 'SQL92_FILTER')}`,
        async () => {
          const bySql: number[] = [];
          const byTagAndSql: number[] = [];
          const c1 = consumer('GSql', 'sql');
          c1.subscribe('TSql', { sql: 'a > 5' });
          c1.registerMessageListener(async (msgs) => {
            for (const m of msgs) bySql.push(Number(m.properties.a));
            return 'CONSUME_SUCCESS';
          });
          const c2 = consumer('GSqlTags', 'sql-tags');
          c2.subscribe('TSql', MessageSelector.bySql("TAGS = 'even' AND a BETWEEN 2 AND 6"));
          c2.registerMessageListener(async (msgs) => {
            for (const m of msgs) byTagAndSql.push(Number(m.properties.a));
            return 'CONSUME_SUCCESS';
          });
          await c1.start();
          await c2.start();
          for (let a = 0; a < 10; a++)
            await producer.send(
              new Message({
                topic: 'TSql',
                body: `a=${a}`,
                tags: a % 2 === 0 ? 'even' : 'odd',
                properties: { a: String(a) },
              }),
            );
          expect(await waitFor(() => bySql.length >= 4 && byTagAndSql.length >= 3, 20_000)).toBe(true);
          await new Promise((r) => setTimeout(r, 500));
          expect(bySql.sort((x, y) => x - y)).toEqual([6, 7, 8, 9]);
          expect(byTagAndSql.sort((x, y) => x - y)).toEqual([2, 4, 6]);
        },
        60_000,
      );

      it.skipIf(lacks(target, 'SQL92_FILTER'))(
        `SQL92: an expression the broker cannot compile fails start() with SUBSCRIPTION_PARSE_FAILED${needs(target, 'SQL92_FILTER')}`,
        async () => {
          const c = consumer('GSqlBad', 'sql-bad');
          c.subscribe('TSql', { sql: 'a > ' });
          c.registerMessageListener(async () => 'CONSUME_SUCCESS');
          const err = await c.start().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err).toBeInstanceOf(MQBrokerError);
          expect((err as MQBrokerError).responseCode).toBe(23); // SUBSCRIPTION_PARSE_FAILED
        },
        30_000,
      );

      it.skipIf(lacks(target, 'REQUEST_REPLY'))(
        `request/reply: the reply a consumer sends comes back to the requester; no reply times out${needs(target, 'REQUEST_REPLY')}`,
        async () => {
          // the replier has its own client instance (connection), as a separate process would
          const replier = new Producer({
            group: 'GReplier',
            namesrvAddr: cluster.namesrvAddr,
            instanceName: 'replier',
          });
          started.push(replier);
          await replier.start();
          const c = consumer('GRequest', 'request-consumer');
          c.subscribe('TRequest', '*');
          c.registerMessageListener(async (msgs) => {
            for (const m of msgs) await replier.reply(m, `pong:${m.bodyText()}`);
            return 'CONSUME_SUCCESS';
          });
          await c.start();
          const request = new Message({ topic: 'TRequest', body: 'ping' });
          const reply = await producer.request(request, { timeoutMs: 10_000 });
          expect(reply.bodyText()).toBe('pong:ping');
          expect(reply.properties.CORRELATION_ID).toBe(request.properties.CORRELATION_ID);
          expect(reply.properties.MSG_TYPE).toBe('reply');
          const replies = await Promise.all(
            [1, 2, 3].map((i) =>
              producer.request(new Message({ topic: 'TRequest', body: `n${i}` }), { timeoutMs: 10_000 }),
            ),
          );
          expect(replies.map((r) => r.bodyText())).toEqual(['pong:n1', 'pong:n2', 'pong:n3']);
          await c.shutdown();
          // nobody answers on TNobody
          await expect(
            producer.request(new Message({ topic: 'TNobody', body: 'anyone?' }), { timeoutMs: 800 }),
          ).rejects.toBeInstanceOf(MQRequestTimeoutError);
        },
        60_000,
      );

      it.skipIf(lacks(target, 'DELAY_LEVEL_DELIVERY', 'RETRY_TO_DLQ'))(
        `retries: a message that always fails is retried maxReconsumeTimes times, then lands in %DLQ%group${needs(target, 'DELAY_LEVEL_DELIVERY', 'RETRY_TO_DLQ')}`,
        async () => {
          const deliveries: string[] = [];
          const c = consumer('GDlq', 'dlq', { maxReconsumeTimes: 2 });
          c.subscribe('TDlq', '*');
          c.registerMessageListener(async (msgs) => {
            for (const m of msgs) deliveries.push(`${m.topic}:${m.bodyText()}@${m.reconsumeTimes}`);
            return msgs[0]!.bodyText() === 'always fails' ? 'RECONSUME_LATER' : 'CONSUME_SUCCESS';
          });
          await c.start();
          await producer.send(new Message({ topic: 'TDlq', body: 'always fails', keys: 'dead' }));
          expect(await waitFor(() => deliveries.length >= 3, 30_000)).toBe(true);
          // the group's retryMaxTimes is 16: only the consumer's maxReconsumeTimes stops it at 2
          const dead = await readDeadLetters(cluster.namesrvAddr, producer, 'GDlq', 1);
          expect(deliveries).toEqual(['TDlq:always fails@0', 'TDlq:always fails@1', 'TDlq:always fails@2']);
          expect(dead.map((m) => [m.bodyText(), m.keys, m.properties.RETRY_TOPIC ?? 'TDlq'])).toEqual([
            ['always fails', 'dead', 'TDlq'],
          ]);
        },
        60_000,
      );

      it.skipIf(lacks(target, 'ADMIN_TO_CLIENT'))(
        `the consumer answers GET_CONSUMER_RUNNING_INFO and CONSUME_MESSAGE_DIRECTLY forwarded by the broker${needs(target, 'ADMIN_TO_CLIENT')}`,
        async () => {
          const consumed: string[] = [];
          const c = consumer('GAdmin', 'admin');
          c.subscribe('TRequest', '*');
          c.registerMessageListener(async (msgs) => {
            for (const m of msgs) consumed.push(m.bodyText());
            return 'CONSUME_SUCCESS';
          });
          await c.start();
          const sent = await producer.send(new Message({ topic: 'TRequest', body: 'direct' }));
          expect(await waitFor(() => consumed.includes('direct'), 20_000)).toBe(true);
          const admin = new RemotingClient();
          try {
            const info = await admin.invokeSync(
              cluster.brokerAddr,
              RemotingCommand.request(RequestCode.GET_CONSUMER_RUNNING_INFO, {
                consumerGroup: 'GAdmin',
                clientId: c.clientId!,
                jstackEnable: false,
              }),
              10_000,
            );
            expect(info.code).toBe(0);
            const text = info.body!.toString();
            expect(text).toContain('"PROP_CONSUME_TYPE":"CONSUME_PASSIVELY"');
            expect(text).toContain('"PROP_CONSUMEORDERLY":"false"');
            expect(text).toMatch(
              /\{"brokerName":"broker-a","queueId":\d,"topic":"TRequest"\}:\{"commitOffset":/,
            );
            const direct = await admin.invokeSync(
              cluster.brokerAddr,
              RemotingCommand.request(RequestCode.CONSUME_MESSAGE_DIRECTLY, {
                consumerGroup: 'GAdmin',
                clientId: c.clientId!,
                msgId: sent.offsetMsgId,
                brokerName: 'broker-a',
              }),
              10_000,
            );
            expect(direct.code).toBe(0);
            expect(parseLenientJson(direct.body!)).toMatchObject({
              order: false,
              autoCommit: true,
              consumeResult: 'CR_SUCCESS',
            });
            expect(consumed.filter((b) => b === 'direct')).toEqual(['direct', 'direct']);
          } finally {
            await admin.shutdown();
          }
          {
            // RocketMQ's own admin tool reads the answer (fastjson's map with MessageQueue keys),
            // forwarded by either broker
            // consumerStatus writes a folder named by the time into its cwd (ConsumerStatusSubCommand):
            // a temp cwd keeps it out of the repository
            const cwd = await mkdtemp(join(tmpdir(), 'cometmq-mqadmin-'));
            const { stdout, stderr } = await promisify(execFile)(
              join(REFERENCE_HOME, 'bin/mqadmin'),
              ['consumerStatus', '-n', cluster.namesrvAddr, '-g', 'GAdmin', '-i', c.clientId!],
              { cwd, env: { ...process.env, JAVA_OPT: '-Xms64m -Xmx128m' }, timeout: 30_000 },
            ).finally(() => rm(cwd, { recursive: true, force: true }));
            expect(stdout, stderr).toContain('#Consumer Properties#');
            expect(stdout).toMatch(/TRequest\s+broker-a/);
            // queryMsgById -g -d: CONSUME_MESSAGE_DIRECTLY through the broker, result printed by mqadmin
            const direct = await promisify(execFile)(
              join(REFERENCE_HOME, 'bin/mqadmin'),
              [
                'queryMsgById',
                '-n',
                cluster.namesrvAddr,
                '-i',
                sent.offsetMsgId,
                '-g',
                'GAdmin',
                '-d',
                c.clientId!,
              ],
              { env: { ...process.env, JAVA_OPT: '-Xms64m -Xmx128m' }, timeout: 30_000 },
            );
            expect(direct.stdout, direct.stderr).toMatch(
              /ConsumeMessageDirectlyResult \[order=false, autoCommit=true, consumeResult=CR_SUCCESS/,
            );
          }
        },
        60_000,
      );
    });
});
