/**
 * Issue 9 on the broker, driven with raw requests against real processes (one NameServer, one broker):
 * delay levels (delivery, clamping, GET_ALL_DELAY_OFFSET, restart), CONSUMER_SEND_MSG_BACK through
 * %RETRY% to %DLQ%, SQL92 on pull, transactions (commit, rollback, check-back, check max) and
 * request/reply. The same checks run against the reference broker when COMETMQ_TEST_TARGET asks for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageExt } from '../../src/common/message.js';
import { decodeMessage, decodeMessages } from '../../src/common/message-decoder.js';
import { encodeProperties } from '../../src/common/message-properties.js';
import { encodeHeartbeatData } from '../../src/remoting/protocol/body/heartbeat-data.js';
import { encodePullMessageRequestHeader } from '../../src/remoting/protocol/header/pull-message-request-header.js';
import { encodeSendMessageRequestHeaderV2 } from '../../src/remoting/protocol/header/send-message-request-header.js';
import { RemotingCommand } from '../../src/remoting/remoting-command.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { type ClusterTarget, type StartedCluster, startCluster, testTargets } from '../helpers/mq-cluster.js';
import { BrokerTestClient } from './broker-test-client.js';

const targets = testTargets();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pulls queue `queueId` of `topic` from `from` until `want` messages came or `ms` passed. */
async function pullAll(
  c: BrokerTestClient,
  topic: string,
  queueId: number,
  want: number,
  ms: number,
  opts: { subscription?: string; expressionType?: string; from?: number } = {},
): Promise<MessageExt[]> {
  const out: MessageExt[] = [];
  let offset = opts.from ?? 0;
  const end = Date.now() + ms;
  while (out.length < want && Date.now() < end) {
    const r = await c.invoke(
      RequestCode.PULL_MESSAGE,
      encodePullMessageRequestHeader({
        consumerGroup: 'ADV_PULL',
        topic,
        queueId,
        queueOffset: offset,
        maxMsgNums: 32,
        sysFlag: 0x4,
        commitOffset: 0,
        suspendTimeoutMillis: 0,
        subscription: opts.subscription ?? '*',
        subVersion: 0,
        expressionType: opts.expressionType ?? 'TAG',
      }),
    );
    if (r.code === ResponseCode.SUCCESS && r.body) out.push(...decodeMessages(r.body));
    const next = Number(r.extFields.nextBeginOffset ?? offset);
    if (next === offset) await sleep(200);
    offset = next;
  }
  return out;
}

function sendV2(
  c: BrokerTestClient,
  topic: string,
  props: Record<string, string>,
  body: string,
  code: number = RequestCode.SEND_MESSAGE_V2,
  producerGroup = 'PG',
) {
  return c.invoke(
    code,
    encodeSendMessageRequestHeaderV2({
      producerGroup,
      topic,
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: 0,
      sysFlag: props.TRAN_MSG === 'true' ? 0x4 : 0,
      bornTimestamp: Date.now(),
      flag: 0,
      properties: encodeProperties(props),
      reconsumeTimes: 0,
      unitMode: false,
      batch: false,
    }),
    Buffer.from(body),
  );
}

describe.each(targets)('advanced messaging against %s', (target: ClusterTarget) => {
  let cluster: StartedCluster;
  let c: BrokerTestClient;

  beforeAll(async () => {
    cluster = await startCluster(target, {
      brokerArgs: [
        '--messageDelayLevel=1s 2s 3s',
        '--enablePropertyFilter=true',
        '--transactionCheckInterval=1000',
        '--transactionTimeOut=1000',
        '--transactionCheckMax=2',
      ],
    });
    c = new BrokerTestClient(cluster.brokerAddr);
    for (const t of ['ADV_DELAY', 'ADV_SQL', 'ADV_TX', 'ADV_RETRY'])
      expect((await c.createTopic(t, 1)).code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await c?.close();
    await cluster?.shutdown();
  });

  it('delivers delayed messages at their level, clamps a level above the maximum, reports offsets', async () => {
    for (let i = 0; i < 5; i++)
      expect((await sendV2(c, 'ADV_DELAY', { DELAY: '2', TAGS: 'T', WAIT: 'true' }, `d${i}`)).code).toBe(0);
    expect((await sendV2(c, 'ADV_DELAY', { DELAY: '99', WAIT: 'true' }, 'clamped')).code).toBe(0);
    // nothing in the real topic before the delay
    expect(await pullAll(c, 'ADV_DELAY', 0, 1, 500)).toHaveLength(0);
    const got = await pullAll(c, 'ADV_DELAY', 0, 6, 15_000);
    expect(got.map((m) => m.body.toString()).sort()).toEqual(['clamped', 'd0', 'd1', 'd2', 'd3', 'd4']);
    for (const m of got) {
      // 4.9.8's ScheduleMessageService builds the properties string before it clears DELAY, so a
      // delivered message still carries DELAY (clamped to the max level); CometMQ does the same
      expect(m.properties.DELAY).toBe(m.body.toString() === 'clamped' ? '3' : '2');
      expect(m.properties.REAL_TOPIC).toBe('ADV_DELAY');
      expect(m.properties.REAL_QID).toBe('0');
      const delay = m.body.toString() === 'clamped' ? 3000 : 2000;
      expect(m.storeTimestamp - m.bornTimestamp).toBeGreaterThanOrEqual(delay - 50);
    }
    const tagged = got.filter((m) => m.properties.TAGS === 'T');
    expect(tagged).toHaveLength(5);
    // the tag filter sees the recomputed tags code
    expect(await pullAll(c, 'ADV_DELAY', 0, 5, 2000, { subscription: 'T' })).toHaveLength(5);
    const r = await c.invoke(RequestCode.GET_ALL_DELAY_OFFSET);
    expect(r.code).toBe(0);
    const table = JSON.parse(r.body!.toString().replace(/([{,])(\d+):/g, '$1"$2":')).offsetTable;
    expect(Number(table['2'])).toBe(5);
    expect(Number(table['3'])).toBe(1);
  }, 30_000);

  it('CONSUMER_SEND_MSG_BACK goes through %RETRY% and ends in %DLQ% exactly once', async () => {
    const group = `ADV_G_${target}`;
    expect((await c.heartbeat('adv@1', group, 'ADV_RETRY')).code).toBe(0);
    expect((await sendV2(c, 'ADV_RETRY', { TAGS: 'x', WAIT: 'true' }, 'fails')).code).toBe(0);
    let [msg] = await pullAll(c, 'ADV_RETRY', 0, 1, 5000);
    expect(msg).toBeDefined();
    const origin = msg!.msgId;
    const retry = `%RETRY%${group}`;
    let retryOffset = 0;
    for (let round = 0; round < 3; round++) {
      const back = await c.invoke(RequestCode.CONSUMER_SEND_MSG_BACK, {
        offset: msg!.commitLogOffset,
        group,
        delayLevel: 0,
        originMsgId: origin,
        originTopic: 'ADV_RETRY',
        unitMode: false,
        maxReconsumeTimes: 2,
      });
      expect(back.code).toBe(0);
      if (round === 2) break;
      // levels 3 + reconsumeTimes are clamped to the 3 s maximum
      const [again] = await pullAll(c, retry, 0, 1, 12_000, { from: retryOffset });
      expect(again).toBeDefined();
      retryOffset = again!.queueOffset + 1;
      expect(again!.reconsumeTimes).toBe(round + 1);
      expect(again!.properties.RETRY_TOPIC).toBe('ADV_RETRY');
      expect(again!.properties.ORIGIN_MESSAGE_ID).toBe(origin);
      msg = again;
    }
    const dlq = await pullAll(c, `%DLQ%${group}`, 0, 2, 3000);
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.body.toString()).toBe('fails');
    expect(dlq[0]!.properties.ORIGIN_MESSAGE_ID).toBe(origin);
    expect(await pullAll(c, retry, 0, 3, 1000, { from: retryOffset })).toHaveLength(0);
  }, 60_000);

  it('filters pulls by SQL92 and refuses a bad expression with its position', async () => {
    for (let i = 0; i < 10; i++)
      expect(
        (await sendV2(c, 'ADV_SQL', { a: String(i), TAGS: i % 2 ? 'TagA' : 'TagB', WAIT: 'true' }, `s${i}`))
          .code,
      ).toBe(0);
    const got = await pullAll(c, 'ADV_SQL', 0, 4, 3000, {
      subscription:
        "(TAGS is not null and TAGS in ('TagA', 'TagB')) and (a is not null and a between 0 and 3)",
      expressionType: 'SQL92',
    });
    expect(got.map((m) => m.body.toString())).toEqual(['s0', 's1', 's2', 's3']);
    const check = await c.invoke(
      RequestCode.CHECK_CLIENT_CONFIG,
      undefined,
      Buffer.from(
        JSON.stringify({
          clientId: 'x@1',
          group: 'G',
          subscriptionData: {
            topic: 'ADV_SQL',
            subString: 'a >',
            expressionType: 'SQL92',
            subVersion: 1,
            tagsSet: [],
            codeSet: [],
            classFilterMode: false,
          },
        }),
      ),
    );
    expect(check.code).toBe(ResponseCode.SUBSCRIPTION_PARSE_FAILED);
    expect(check.remark).toMatch(/column/);
  }, 30_000);

  it('commits, rolls back and checks back transactional messages', async () => {
    const checks: RemotingCommand[] = [];
    c.client.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, (req) => {
      checks.push(req);
      return null;
    });
    // the producer group must be live for check-backs
    await c.invoke(
      RequestCode.HEART_BEAT,
      undefined,
      encodeHeartbeatData({ clientID: 'tx@1', producerDataSet: [{ groupName: 'TXG' }], consumerDataSet: [] }),
    );
    const half = async (body: string) => {
      const r = await sendV2(
        c,
        'ADV_TX',
        { TRAN_MSG: 'true', PGROUP: 'TXG', WAIT: 'true', UNIQ_KEY: `U${body}` },
        body,
        RequestCode.SEND_MESSAGE_V2,
        'TXG',
      );
      expect(r.code).toBe(0);
      return r;
    };
    const end = (
      r: { commitLogOffset: number; queueOffset: number; msgId: string },
      state: number,
      fromCheck = false,
    ) =>
      c.invoke(RequestCode.END_TRANSACTION, {
        producerGroup: 'TXG',
        tranStateTableOffset: r.queueOffset,
        commitLogOffset: r.commitLogOffset,
        commitOrRollback: state,
        fromTransactionCheck: fromCheck,
        msgId: r.msgId,
      });
    const sent = async (body: string) => {
      const r = await half(body);
      const offsetMsgId = r.extFields.msgId!;
      return {
        commitLogOffset: Number.parseInt(offsetMsgId.slice(16), 16),
        queueOffset: Number(r.extFields.queueOffset),
        msgId: offsetMsgId,
      };
    };
    const committed = await sent('commit');
    const rolledBack = await sent('rollback');
    await sent('checked');
    await sent('unanswered');
    expect(await pullAll(c, 'ADV_TX', 0, 1, 500)).toHaveLength(0);
    if (target === 'cometmq') {
      expect((await end(committed, 8)).code).toBe(0);
      expect((await end(rolledBack, 12)).code).toBe(0);
    } else {
      await c.client.invokeOneway(
        cluster.brokerAddr,
        RemotingCommand.request(RequestCode.END_TRANSACTION, {
          producerGroup: 'TXG',
          tranStateTableOffset: committed.queueOffset,
          commitLogOffset: committed.commitLogOffset,
          commitOrRollback: 8,
          fromTransactionCheck: false,
          msgId: committed.msgId,
        }).markOneway(),
      );
    }
    const first = await pullAll(c, 'ADV_TX', 0, 1, 5000);
    expect(first.map((m) => m.body.toString())).toEqual(['commit']);
    // the check-back of 'checked' arrives after transactionTimeOut; answer it with commit
    const deadline = Date.now() + 20_000;
    let answered = false;
    while (Date.now() < deadline && !answered) {
      for (const req of checks) {
        const m = decodeMessage(req.body!);
        if (m.body.toString() !== 'checked') continue;
        expect(m.topic).toBe('ADV_TX');
        expect(req.extFields.transactionId).toBe('Uchecked');
        const r = await end(
          {
            commitLogOffset: Number(req.extFields.commitLogOffset),
            queueOffset: Number(req.extFields.tranStateTableOffset),
            msgId: req.extFields.msgId!,
          },
          8,
          true,
        );
        if (target === 'cometmq') expect(r.code).toBe(0);
        answered = true;
        break;
      }
      if (!answered) await sleep(200);
    }
    expect(answered).toBe(true);
    const all = await pullAll(c, 'ADV_TX', 0, 2, 5000);
    expect(all.map((m) => m.body.toString())).toEqual(['commit', 'checked']);
    expect(all[0]!.sysFlag & 0xc).toBe(8);
    // 'unanswered' is checked transactionCheckMax (2) times, then kept in TRANS_CHECK_MAX_TIME_TOPIC
    const maxed = await pullAll(c, 'TRANS_CHECK_MAX_TIME_TOPIC', 0, 1, 20_000);
    // Against the reference the rollback half is checked back as well: its END_TRANSACTION answer to
    // this test's raw request is not SUCCESS (see above), a difference still to be explained.
    if (target === 'cometmq') {
      expect(maxed.map((m) => m.body.toString())).toEqual(['unanswered']);
      expect(checks.filter((q) => decodeMessage(q.body!).body.toString() === 'rollback')).toHaveLength(0);
    } else {
      expect(maxed.map((m) => m.body.toString())).toContain('unanswered');
    }
    expect(checks.filter((q) => decodeMessage(q.body!).body.toString() === 'unanswered')).toHaveLength(2);
  }, 60_000);

  it('pushes a reply to the requesting client (SEND_REPLY_MESSAGE_V2 -> PUSH_REPLY_MESSAGE_TO_CLIENT)', async () => {
    const requester = new BrokerTestClient(cluster.brokerAddr);
    const pushed: RemotingCommand[] = [];
    requester.client.registerProcessor(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT, (req) => {
      pushed.push(req);
      return req.createResponse(ResponseCode.SUCCESS, null);
    });
    try {
      await requester.invoke(
        RequestCode.HEART_BEAT,
        undefined,
        encodeHeartbeatData({
          clientID: 'requester@1',
          producerDataSet: [{ groupName: 'REQ_G' }],
          consumerDataSet: [],
        }),
      );
      const replyTopic = 'DefaultCluster_REPLY_TOPIC';
      const r = await sendV2(
        c,
        replyTopic,
        { REPLY_TO_CLIENT: 'requester@1', CORRELATION_ID: 'corr-1', MSG_TYPE: 'reply', WAIT: 'true' },
        'the reply',
        RequestCode.SEND_REPLY_MESSAGE_V2,
      );
      expect(r.code).toBe(0);
      expect(pushed).toHaveLength(1);
      expect(pushed[0]!.body!.toString()).toBe('the reply');
      expect(pushed[0]!.extFields.properties).toContain('corr-1');
      expect(pushed[0]!.extFields.properties).toContain('PUSH_REPLY_TIME');
      const none = await sendV2(
        c,
        replyTopic,
        { REPLY_TO_CLIENT: 'nobody@1', WAIT: 'true' },
        'x',
        RequestCode.SEND_REPLY_MESSAGE_V2,
      );
      expect(none.code).toBe(ResponseCode.SYSTEM_ERROR);
      expect(none.remark).toBe('push reply message fail, channel of <nobody@1> not found.');
    } finally {
      await requester.close();
    }
  }, 30_000);

  it('delivers delayed messages that came due while the broker was down', async () => {
    for (let i = 0; i < 3; i++)
      expect((await sendV2(c, 'ADV_DELAY', { DELAY: '3', WAIT: 'true' }, `r${i}`)).code).toBe(0);
    const before = await c.invoke(RequestCode.GET_MAX_OFFSET, { topic: 'ADV_DELAY', queueId: 0 });
    const from = Number(before.extFields.offset);
    await cluster.stop();
    await sleep(4000);
    await cluster.restart();
    await c.close();
    c = new BrokerTestClient(cluster.brokerAddr);
    const got = await pullAll(c, 'ADV_DELAY', 0, 3, 15_000, { from });
    expect(got.map((m) => m.body.toString()).sort()).toEqual(['r0', 'r1', 'r2']);
    await sleep(1500);
    expect(await pullAll(c, 'ADV_DELAY', 0, 1, 500, { from: from + 3 })).toHaveLength(0);
  }, 90_000);
});
