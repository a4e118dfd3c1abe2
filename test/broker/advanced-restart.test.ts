/**
 * Issue 9's restart and exactness checks with real processes (one NameServer, one broker, SIGKILLed and
 * started again on the same store), against CometMQ and the 4.9.8 reference alike:
 * - a half (prepared) message left unresolved when the broker dies is checked back after it returns,
 *   and the commit answering that check delivers the message exactly once;
 * - N messages that always fail end up exactly N times in %DLQ%group (once each), with the broker
 *   killed while their retries wait in SCHEDULE_TOPIC_XXXX;
 * - what 4.9.8 does with DLQ permissions (both paths) and with the properties of delivered delayed
 *   messages (DELAY and WAIT kept).
 * Delayed messages due while the broker is down: test/broker/advanced-messaging.test.ts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageExt } from '../../src/common/message.js';
import { decodeMessage, decodeMessages } from '../../src/common/message-decoder.js';
import { encodeProperties } from '../../src/common/message-properties.js';
import { encodeHeartbeatData } from '../../src/remoting/protocol/body/heartbeat-data.js';
import { encodeSendMessageRequestHeaderV2 } from '../../src/remoting/protocol/header/send-message-request-header.js';
import { RemotingCommand } from '../../src/remoting/remoting-command.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { type ClusterTarget, type StartedCluster, startCluster, testTargets } from '../helpers/mq-cluster.js';
import { BrokerTestClient } from './broker-test-client.js';

const targets = testTargets();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface SendOpts {
  producerGroup?: string;
  reconsumeTimes?: number;
  maxReconsumeTimes?: number;
}

function sendV2(
  c: BrokerTestClient,
  topic: string,
  props: Record<string, string>,
  body: string,
  o: SendOpts = {},
): Promise<RemotingCommand> {
  return c.invoke(
    RequestCode.SEND_MESSAGE_V2,
    encodeSendMessageRequestHeaderV2({
      producerGroup: o.producerGroup ?? 'PG',
      topic,
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: 0,
      sysFlag: props.TRAN_MSG === 'true' ? 0x4 : 0,
      bornTimestamp: Date.now(),
      flag: 0,
      properties: encodeProperties(props),
      reconsumeTimes: o.reconsumeTimes ?? 0,
      unitMode: false,
      batch: false,
      ...(o.maxReconsumeTimes !== undefined ? { maxReconsumeTimes: o.maxReconsumeTimes } : {}),
    }),
    Buffer.from(body),
  );
}

/** Pulls queue 0 of `topic` from `from` until `want` messages came or `ms` passed (bounded both ways). */
async function pullFrom(
  c: BrokerTestClient,
  topic: string,
  from: number,
  want: number,
  ms: number,
): Promise<{ msgs: MessageExt[]; next: number }> {
  const msgs: MessageExt[] = [];
  let offset = from;
  const end = Date.now() + ms;
  while (msgs.length < want && Date.now() < end) {
    const r = await c.pull('RST_PULL', topic, 0, offset);
    if (r.code === ResponseCode.SUCCESS && r.body) msgs.push(...decodeMessages(r.body));
    const next = Number(r.extFields.nextBeginOffset ?? offset);
    if (next === offset) await sleep(200);
    offset = next;
  }
  return { msgs, next: offset };
}

/** GET_ALL_TOPIC_CONFIG's perm of one topic (fastjson's unquoted keys tolerated). */
async function topicPerm(c: BrokerTestClient, topic: string): Promise<number | undefined> {
  const r = await c.invoke(RequestCode.GET_ALL_TOPIC_CONFIG);
  expect(r.code).toBe(0);
  const text = r.body!.toString().replace(/([{,])(\d+):/g, '$1"$2":');
  const table = (JSON.parse(text) as { topicConfigTable: Record<string, { perm: number }> }).topicConfigTable;
  return table[topic]?.perm;
}

describe.each(targets)('advanced messaging across restarts against %s', (target: ClusterTarget) => {
  let cluster: StartedCluster;
  let c: BrokerTestClient;

  const reconnect = async (): Promise<void> => {
    await c.close();
    c = new BrokerTestClient(cluster.brokerAddr);
  };

  beforeAll(async () => {
    cluster = await startCluster(target, {
      brokerArgs: [
        '--messageDelayLevel=1s 2s 3s',
        '--transactionCheckInterval=1000',
        '--transactionTimeOut=2000',
      ],
    });
    c = new BrokerTestClient(cluster.brokerAddr);
    const topics = ['RST_TX', 'RST_DLQ', 'RST_PROPS'];
    for (const t of topics) expect((await c.createTopic(t, 1)).code).toBe(0);
    // the tests kill the broker: the topics must be on disk first. 4.9.8 writes topics.json before it
    // answers UPDATE_AND_CREATE_TOPIC; CometMQ answers first and writes right after.
    const file = join(cluster.dataDir, 'store', 'config', 'topics.json');
    const deadline = Date.now() + 10_000;
    let text = '';
    while (Date.now() < deadline) {
      text = await readFile(file, 'utf8').catch(() => '');
      if (topics.every((t) => text.includes(`"${t}"`))) break;
      await sleep(100);
    }
    expect(topics.filter((t) => !text.includes(`"${t}"`))).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    await c?.close();
    await cluster?.shutdown();
  });

  it('checks back a half message left unresolved by a broker kill; the commit delivers it once', async () => {
    // no producer of TXG_R is live before the kill, so no check-back can happen before it
    const sent = await sendV2(
      c,
      'RST_TX',
      { TRAN_MSG: 'true', PGROUP: 'TXG_R', WAIT: 'true', UNIQ_KEY: 'URST1' },
      'half-1',
      { producerGroup: 'TXG_R' },
    );
    expect(sent.code).toBe(0);
    await cluster.stop();
    await cluster.restart();
    await reconnect();
    const checks: RemotingCommand[] = [];
    c.client.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, (req) => {
      checks.push(req);
      return null;
    });
    const heartbeat = () =>
      c.invoke(
        RequestCode.HEART_BEAT,
        undefined,
        encodeHeartbeatData({
          clientID: 'txr@1',
          producerDataSet: [{ groupName: 'TXG_R' }],
          consumerDataSet: [],
        }),
      );
    expect((await heartbeat()).code).toBe(0);
    expect((await pullFrom(c, 'RST_TX', 0, 1, 300)).msgs).toHaveLength(0);
    const deadline = Date.now() + 30_000;
    while (checks.length === 0 && Date.now() < deadline) await sleep(100);
    expect(checks.length).toBeGreaterThan(0);
    const check = checks[0]!;
    const half = decodeMessage(check.body!);
    expect(half.body.toString()).toBe('half-1');
    expect(half.topic).toBe('RST_TX');
    expect(check.extFields.transactionId).toBe('URST1');
    // answered as a producer does: END_TRANSACTION commit, oneway, from the check
    await c.client.invokeOneway(
      cluster.brokerAddr,
      RemotingCommand.request(RequestCode.END_TRANSACTION, {
        producerGroup: 'TXG_R',
        tranStateTableOffset: Number(check.extFields.tranStateTableOffset),
        commitLogOffset: Number(check.extFields.commitLogOffset),
        commitOrRollback: 8,
        fromTransactionCheck: true,
        msgId: check.extFields.msgId!,
        transactionId: check.extFields.transactionId!,
      }).markOneway(),
    );
    const got = await pullFrom(c, 'RST_TX', 0, 1, 10_000);
    expect(got.msgs.map((m) => m.body.toString())).toEqual(['half-1']);
    expect(got.msgs[0]!.sysFlag & 0xc).toBe(8);
    // three more check intervals: no second copy, no further check-back of the committed half
    const answered = checks.length;
    await sleep(3500);
    expect((await pullFrom(c, 'RST_TX', got.next, 1, 500)).msgs).toHaveLength(0);
    const later = checks.slice(answered).filter((q) => decodeMessage(q.body!).body.toString() === 'half-1');
    expect(later).toHaveLength(0);
  }, 120_000);

  it('puts N always-failing messages exactly N times into %DLQ%, across a broker kill', async () => {
    const N = 20;
    const group = `RST_G_${target}`;
    expect((await c.heartbeat('rst@1', group, 'RST_DLQ')).code).toBe(0);
    for (let i = 0; i < N; i++)
      expect(
        (await sendV2(c, 'RST_DLQ', { TAGS: 'f', WAIT: 'true', UNIQ_KEY: `UD${i}` }, `f${i}`)).code,
      ).toBe(0);
    const sendBack = async (m: MessageExt) => {
      const r = await c.invoke(RequestCode.CONSUMER_SEND_MSG_BACK, {
        offset: m.commitLogOffset,
        group,
        delayLevel: 0,
        originMsgId: m.properties.ORIGIN_MESSAGE_ID ?? m.msgId,
        originTopic: 'RST_DLQ',
        unitMode: false,
        maxReconsumeTimes: 1,
      });
      expect(r.code).toBe(0);
    };
    // the first failure of each goes to %RETRY% through delay level 3 (3 s)...
    const first = await pullFrom(c, 'RST_DLQ', 0, N, 10_000);
    expect(first.msgs).toHaveLength(N);
    for (const m of first.msgs) await sendBack(m);
    // ...and the broker dies before any of them is due
    await cluster.stop();
    await sleep(1000);
    await cluster.restart();
    await reconnect();
    expect((await c.heartbeat('rst@1', group, 'RST_DLQ')).code).toBe(0);
    const retry = `%RETRY%${group}`;
    const retried = await pullFrom(c, retry, 0, N, 30_000);
    expect(retried.msgs).toHaveLength(N);
    for (const m of retried.msgs) {
      expect(m.reconsumeTimes).toBe(1);
      await sendBack(m); // reconsumeTimes 1 >= maxReconsumeTimes 1: dead letter
    }
    const dlq = `%DLQ%${group}`;
    const dead = await pullFrom(c, dlq, 0, N, 10_000);
    await sleep(2000);
    const more = await pullFrom(c, dlq, dead.next, 1, 500);
    const retryMore = await pullFrom(c, retry, retried.next, 1, 500);
    expect(more.msgs).toHaveLength(0);
    expect(retryMore.msgs).toHaveLength(0);
    expect(dead.msgs.map((m) => m.body.toString()).sort()).toEqual(
      Array.from({ length: N }, (_, i) => `f${i}`).sort(),
    );
    for (const m of dead.msgs) {
      expect(m.reconsumeTimes).toBe(2);
      expect(m.properties.RETRY_TOPIC).toBe('RST_DLQ');
      expect(m.properties.DELAY).toBe('0');
    }
    const max = await c.invoke(RequestCode.GET_MAX_OFFSET, { topic: dlq, queueId: 0 });
    expect(Number(max.extFields.offset)).toBe(N);
  }, 180_000);

  it('creates %DLQ% readable and writable (perm 6) from send-back and from a send to %RETRY%', async () => {
    const g1 = `RST_P1_${target}`;
    const g2 = `RST_P2_${target}`;
    expect((await c.heartbeat('rstp@1', g1, 'RST_PROPS')).code).toBe(0);
    expect((await c.heartbeat('rstp@2', g2, 'RST_PROPS')).code).toBe(0);
    const r = await sendV2(c, 'RST_PROPS', { WAIT: 'true', UNIQ_KEY: 'UP1' }, 'p');
    expect(r.code).toBe(0);
    const [m] = (await pullFrom(c, 'RST_PROPS', 0, 1, 5000)).msgs;
    // CONSUMER_SEND_MSG_BACK with delayLevel -1: straight to the DLQ
    const back = await c.invoke(RequestCode.CONSUMER_SEND_MSG_BACK, {
      offset: m!.commitLogOffset,
      group: g1,
      delayLevel: -1,
      originMsgId: m!.msgId,
      originTopic: 'RST_PROPS',
      unitMode: false,
      maxReconsumeTimes: 16,
    });
    expect(back.code).toBe(0);
    // a plain send to %RETRY%group past maxReconsumeTimes: handleRetryAndDLQ
    const viaSend = await sendV2(c, `%RETRY%${g2}`, { WAIT: 'true', RETRY_TOPIC: 'RST_PROPS' }, 'q', {
      reconsumeTimes: 3,
      maxReconsumeTimes: 2,
    });
    expect(viaSend.code).toBe(0);
    expect(await topicPerm(c, `%DLQ%${g1}`)).toBe(6);
    expect(await topicPerm(c, `%DLQ%${g2}`)).toBe(6);
    // readable: both dead letters can be pulled
    expect((await pullFrom(c, `%DLQ%${g1}`, 0, 1, 3000)).msgs.map((x) => x.body.toString())).toEqual(['p']);
    expect((await pullFrom(c, `%DLQ%${g2}`, 0, 1, 3000)).msgs.map((x) => x.body.toString())).toEqual(['q']);
  }, 60_000);

  it('delivers delayed messages with DELAY and WAIT kept as sent, as 4.9.8 does', async () => {
    const from = Number(
      (await c.invoke(RequestCode.GET_MAX_OFFSET, { topic: 'RST_PROPS', queueId: 0 })).extFields.offset,
    );
    expect((await sendV2(c, 'RST_PROPS', { DELAY: '1', WAIT: 'true', TAGS: 'T' }, 'wait-true')).code).toBe(0);
    expect((await sendV2(c, 'RST_PROPS', { DELAY: '2', WAIT: 'false', TAGS: 'T' }, 'wait-false')).code).toBe(
      0,
    );
    const got = (await pullFrom(c, 'RST_PROPS', from, 2, 10_000)).msgs;
    expect(got.map((m) => m.body.toString())).toEqual(['wait-true', 'wait-false']);
    expect(got.map((m) => [m.properties.DELAY, m.properties.WAIT])).toEqual([
      ['1', 'true'],
      ['2', 'false'],
    ]);
    for (const m of got) {
      expect(m.properties.REAL_TOPIC).toBe('RST_PROPS');
      expect(m.properties.REAL_QID).toBe('0');
    }
    // delivered once: DELAY left in the properties does not send it round the schedule again
    await sleep(2500);
    expect((await pullFrom(c, 'RST_PROPS', from + 2, 1, 500)).msgs).toHaveLength(0);
  }, 60_000);
});
