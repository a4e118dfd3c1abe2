import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessages, encodeBatchMessages } from '../../src/common/message-decoder.js';
import { decodeOffsetMsgId } from '../../src/common/message-id.js';
import {
  decodeConsumerConnection,
  decodeProducerConnection,
} from '../../src/remoting/protocol/body/connection.js';
import { decodeConsumeStats } from '../../src/remoting/protocol/body/consume-stats.js';
import { decodeKVTable } from '../../src/remoting/protocol/body/kv-table.js';
import { decodeResetOffsetBody } from '../../src/remoting/protocol/body/reset-offset-body.js';
import {
  defaultSubscriptionGroupConfig,
  encodeSubscriptionGroupConfig,
} from '../../src/remoting/protocol/body/subscription-group-config.js';
import { decodeTopicStatsTable } from '../../src/remoting/protocol/body/topic-stats-table.js';
import { encodeSendMessageRequestHeaderV2 } from '../../src/remoting/protocol/header/send-message-request-header.js';
import { decodeTopicRouteData } from '../../src/remoting/protocol/route/topic-route-data.js';
import { RemotingClient } from '../../src/remoting/remoting-client.js';
import { RemotingCommand } from '../../src/remoting/remoting-command.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { type RunningProcess, startBroker, startNamesrv, tempDir } from '../helpers/cometmq-processes.js';
import { BrokerTestClient } from './broker-test-client.js';

let namesrv: RunningProcess;
let broker: RunningProcess;
let dir: { path: string; remove(): Promise<void> };
let c: BrokerTestClient;
const nsClient = new RemotingClient();

async function route(topic: string): Promise<RemotingCommand> {
  return nsClient.invokeSync(
    namesrv.addr,
    RemotingCommand.request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }),
    5000,
  );
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dir = await tempDir('cometmq-broker-it-');
  namesrv = await startNamesrv();
  broker = await startBroker({
    namesrvAddr: namesrv.addr,
    storePathRootDir: dir.path,
    extra: ['--maxMessageSize=65536'],
  });
  c = new BrokerTestClient(broker.addr);
});

afterAll(async () => {
  await c?.close();
  await nsClient.shutdown();
  await broker?.kill();
  await namesrv?.kill();
  await dir?.remove();
});

describe('broker: start and registration', () => {
  it('listens on the port it got for listenPort=0 and registers that address', async () => {
    expect(broker.addr).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(broker.addr.endsWith(':0')).toBe(false);
    expect((await c.createTopic('RegT', 2)).code).toBe(ResponseCode.SUCCESS);
    const r = await waitFor('route of RegT', async () => {
      const resp = await route('RegT');
      return resp.code === ResponseCode.SUCCESS ? resp : undefined;
    });
    const rd = decodeTopicRouteData(r.body!);
    expect(rd.brokerDatas[0]!.brokerAddrs.get(0)).toBe(broker.addr);
    expect(rd.queueDatas[0]).toMatchObject({
      brokerName: 'broker-a',
      readQueueNums: 2,
      writeQueueNums: 2,
      perm: 6,
    });
  });
});

describe('broker: send', () => {
  it('answers SEND_MESSAGE and SEND_MESSAGE_V2 with msgId, queueId, queueOffset, MSG_REGION, TRACE_ON', async () => {
    await c.createTopic('SendT', 4);
    const r1 = await c.send('SendT', 'one', { queueId: 1, v1: true });
    const r2 = await c.send('SendT', 'two', { queueId: 1 });
    for (const r of [r1, r2]) {
      expect(r.code).toBe(ResponseCode.SUCCESS);
      expect(r.extFields.msgId).toMatch(/^[0-9A-F]{32}$/);
      expect(r.extFields.queueId).toBe('1');
      expect(r.extFields.MSG_REGION).toBe('DefaultRegion');
      expect(r.extFields.TRACE_ON).toBe('true');
      expect(decodeOffsetMsgId(r.extFields.msgId!).address).toBe(broker.addr);
    }
    expect(Number(r2.extFields.queueOffset)).toBe(Number(r1.extFields.queueOffset) + 1);
  });

  it('auto-creates an unknown topic from TBW102 with the client default queue count', async () => {
    const r = await c.send('AutoT', 'x', { queueId: 0, defaultTopicQueueNums: 3 });
    expect(r.code).toBe(ResponseCode.SUCCESS);
    const rr = await waitFor('route of AutoT', async () => {
      const resp = await route('AutoT');
      return resp.code === ResponseCode.SUCCESS ? resp : undefined;
    });
    expect(decodeTopicRouteData(rr.body!).queueDatas[0]!.writeQueueNums).toBe(3);
  });

  it('stores a SEND_BATCH_MESSAGE as individual messages', async () => {
    await c.createTopic('BatchT', 1);
    const body = encodeBatchMessages(
      [0, 1, 2, 3, 4].map((i) => ({
        flag: 0,
        body: Buffer.from(`b${i}`),
        properties: { TAGS: 'bt', KEYS: `k${i}` },
      })),
    );
    const h = encodeSendMessageRequestHeaderV2({
      producerGroup: 'PG',
      topic: 'BatchT',
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: 0,
      sysFlag: 0,
      bornTimestamp: Date.now(),
      flag: 0,
      unitMode: false,
      batch: true,
    });
    const r = await c.invoke(RequestCode.SEND_BATCH_MESSAGE, h, body);
    expect(r.code).toBe(ResponseCode.SUCCESS);
    expect(r.extFields.msgId!.split(',')).toHaveLength(5);
    const p = await c.pull('G-batch', 'BatchT', 0, 0);
    expect(p.code).toBe(ResponseCode.SUCCESS);
    const msgs = decodeMessages(p.body!);
    expect(msgs.map((m) => m.body.toString())).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    expect(msgs.map((m) => m.queueOffset)).toEqual([0, 1, 2, 3, 4]);
    expect(msgs[2]!.properties.KEYS).toBe('k2');
  });

  it('refuses what RocketMQ refuses: bad queue id, forbidden topic, oversized body, unknown topic when auto-create is off', async () => {
    await c.createTopic('LimT', 2);
    const badQ = await c.send('LimT', 'x', { queueId: 7 });
    expect(badQ.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(badQ.remark).toMatch(/request queueId\[7\] is illegal/);
    const sys = await c.send('SCHEDULE_TOPIC_XXXX', 'x');
    expect(sys.code).toBe(ResponseCode.NO_PERMISSION);
    const big = await c.send('LimT', Buffer.alloc(70_000, 1));
    expect(big.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    const illegal = await c.send('bad topic!', 'x');
    expect(illegal.code).toBe(ResponseCode.SYSTEM_ERROR);
    const off = await c.invoke(
      RequestCode.UPDATE_BROKER_CONFIG,
      undefined,
      Buffer.from('autoCreateTopicEnable=false\n'),
    );
    expect(off.code).toBe(ResponseCode.SUCCESS);
    const missing = await c.send('NoSuchTopicT', 'x');
    expect(missing.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(missing.remark).toMatch(/topic\[NoSuchTopicT\] not exist, apply first please!/);
    await c.invoke(RequestCode.UPDATE_BROKER_CONFIG, undefined, Buffer.from('autoCreateTopicEnable=true\n'));
    // and the broker keeps serving
    expect((await c.send('LimT', 'ok', { queueId: 1 })).code).toBe(ResponseCode.SUCCESS);
  });
});

describe('broker: back pressure', () => {
  it('answers every send, with SYSTEM_BUSY beyond sendThreadPoolQueueCapacity, never dropping one', async () => {
    await c.createTopic('BusyT', 4);
    expect(
      (
        await c.invoke(
          RequestCode.UPDATE_BROKER_CONFIG,
          undefined,
          Buffer.from('sendThreadPoolQueueCapacity=2\n'),
        )
      ).code,
    ).toBe(0);
    try {
      const replies = await Promise.all(
        Array.from({ length: 200 }, (_, i) => c.send('BusyT', `busy-${i}`, { queueId: i % 4 })),
      );
      const codes = new Map<number, number>();
      for (const r of replies) codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
      expect(replies).toHaveLength(200);
      expect(codes.get(ResponseCode.SUCCESS)).toBeGreaterThan(0);
      expect(codes.get(ResponseCode.SYSTEM_BUSY)).toBeGreaterThan(0);
      expect([...codes.keys()].sort()).toEqual([ResponseCode.SUCCESS, ResponseCode.SYSTEM_BUSY].sort());
      const busy = replies.find((r) => r.code === ResponseCode.SYSTEM_BUSY)!;
      expect(busy.remark).toMatch(/^\[OVERLOAD\]system busy/);
      // what was acknowledged is stored, nothing else
      let stored = 0;
      for (let q = 0; q < 4; q++) {
        const m = await c.invoke(RequestCode.GET_MAX_OFFSET, { topic: 'BusyT', queueId: q });
        stored += Number(m.extFields.offset);
      }
      expect(stored).toBe(codes.get(ResponseCode.SUCCESS));
    } finally {
      await c.invoke(
        RequestCode.UPDATE_BROKER_CONFIG,
        undefined,
        Buffer.from('sendThreadPoolQueueCapacity=10000\n'),
      );
    }
  });
});

describe('broker: pull', () => {
  it('filters by tag hash, returns NOT_FOUND at the end and OFFSET_MOVED beyond it, commits offsets', async () => {
    await c.createTopic('PullT', 1);
    for (let i = 0; i < 6; i++)
      expect((await c.send('PullT', `m${i}`, { tags: i % 2 === 0 ? 'TagA' : 'TagB' })).code).toBe(0);
    const all = await c.pull('G-pull', 'PullT', 0, 0);
    expect(all.code).toBe(ResponseCode.SUCCESS);
    expect(decodeMessages(all.body!).map((m) => m.body.toString())).toEqual([
      'm0',
      'm1',
      'm2',
      'm3',
      'm4',
      'm5',
    ]);
    expect(all.extFields).toMatchObject({
      nextBeginOffset: '6',
      minOffset: '0',
      maxOffset: '6',
      suggestWhichBrokerId: '0',
    });
    const onlyB = await c.pull('G-pull', 'PullT', 0, 0, { subscription: 'TagB' });
    const bodies = decodeMessages(onlyB.body!).map((m) => m.body.toString());
    expect(bodies).toEqual(['m1', 'm3', 'm5']);
    expect(decodeMessages(onlyB.body!).every((m) => m.properties.TAGS === 'TagB')).toBe(true);
    const noMatch = await c.pull('G-pull', 'PullT', 0, 0, { subscription: 'TagZ' });
    expect(noMatch.code).toBe(ResponseCode.PULL_RETRY_IMMEDIATELY);
    expect(Number(noMatch.extFields.nextBeginOffset)).toBeGreaterThan(0);
    const none = await c.pull('G-pull', 'PullT', 0, 6);
    expect(none.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(none.extFields.nextBeginOffset).toBe('6');
    const moved = await c.pull('G-pull', 'PullT', 0, 1000);
    expect(moved.code).toBe(ResponseCode.PULL_OFFSET_MOVED);
    const commit = await c.pull('G-pull', 'PullT', 0, 6, { commitOffset: 4 });
    expect(commit.code).toBe(ResponseCode.PULL_NOT_FOUND);
    const q = await c.invoke(RequestCode.QUERY_CONSUMER_OFFSET, {
      consumerGroup: 'G-pull',
      topic: 'PullT',
      queueId: 0,
    });
    expect(q.extFields.offset).toBe('4');
  });

  it('long polling: a held pull returns as soon as a message lands', async () => {
    await c.createTopic('LongT', 1);
    const held = c.pull('G-long', 'LongT', 0, 0, { suspendMs: 15_000 });
    await new Promise((r) => setTimeout(r, 300));
    const sent = await c.send('LongT', 'wake');
    const ackedAt = Date.now();
    expect(sent.code).toBe(ResponseCode.SUCCESS);
    const p = await held;
    const delay = Date.now() - ackedAt;
    console.log(`long polling: pull answered ${delay} ms after the send was acknowledged`);
    expect(p.code).toBe(ResponseCode.SUCCESS);
    expect(decodeMessages(p.body!)[0]!.body.toString()).toBe('wake');
    expect(delay).toBeLessThan(1000);
  });

  it('long polling: a held pull times out with PULL_NOT_FOUND; short polling holds shortPollingTimeMills', async () => {
    await c.createTopic('HoldT', 1);
    let t = Date.now();
    const p = await c.pull('G-hold', 'HoldT', 0, 0, { suspendMs: 700 });
    expect(p.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(Date.now() - t).toBeGreaterThanOrEqual(600);
    await c.invoke(
      RequestCode.UPDATE_BROKER_CONFIG,
      undefined,
      Buffer.from('longPollingEnable=false\nshortPollingTimeMills=300\n'),
    );
    t = Date.now();
    const s = await c.pull('G-hold', 'HoldT', 0, 0, { suspendMs: 20_000 });
    const took = Date.now() - t;
    await c.invoke(RequestCode.UPDATE_BROKER_CONFIG, undefined, Buffer.from('longPollingEnable=true\n'));
    expect(s.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(10_000);
  });

  it('uses the registered subscription when the request carries none: SUBSCRIPTION_NOT_EXIST / NOT_LATEST', async () => {
    await c.createTopic('SubT', 1);
    await c.send('SubT', 'a', { tags: 'X' });
    await c.send('SubT', 'b', { tags: 'Y' });
    const unknown = await c.pull('G-sub', 'SubT', 0, 0, { noSubscriptionFlag: true });
    expect(unknown.code).toBe(ResponseCode.SUBSCRIPTION_NOT_EXIST);
    expect((await c.heartbeat('127.0.0.1@sub1', 'G-sub', 'SubT', 'Y', 1000)).code).toBe(ResponseCode.SUCCESS);
    const ok = await c.pull('G-sub', 'SubT', 0, 0, { noSubscriptionFlag: true, subVersion: 1000 });
    expect(ok.code).toBe(ResponseCode.SUCCESS);
    expect(decodeMessages(ok.body!).map((m) => m.body.toString())).toEqual(['b']);
    const stale = await c.pull('G-sub', 'SubT', 0, 0, { noSubscriptionFlag: true, subVersion: 2000 });
    expect(stale.code).toBe(ResponseCode.SUBSCRIPTION_NOT_LATEST);
    const noTopic = await c.pull('G-sub', 'NoSuchPullTopic', 0, 0);
    expect(noTopic.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    const badQueue = await c.pull('G-sub', 'SubT', 5, 0);
    expect(badQueue.code).toBe(ResponseCode.SYSTEM_ERROR);
  });
});

describe('broker: clients and offsets', () => {
  it('tracks consumer groups, creates %RETRY% topics and notifies members when the group changes', async () => {
    const other = new RemotingClient();
    const notified: string[] = [];
    other.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (req) => {
      notified.push(req.extFields.consumerGroup!);
      return null;
    });
    try {
      await c.createTopic('GrpT', 2);
      const first = RemotingCommand.request(
        RequestCode.HEART_BEAT,
        undefined,
        heartbeatBody('127.0.0.1@one'),
      );
      expect((await other.invokeSync(broker.addr, first, 5000)).code).toBe(ResponseCode.SUCCESS);
      expect((await c.heartbeat('127.0.0.1@two', 'G-grp', 'GrpT')).code).toBe(ResponseCode.SUCCESS);
      await waitFor(
        'NOTIFY_CONSUMER_IDS_CHANGED',
        async () => (notified.includes('G-grp') ? true : undefined),
        5000,
      );
      const list = await c.invoke(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'G-grp' });
      expect(list.code).toBe(ResponseCode.SUCCESS);
      expect(JSON.parse(list.body!.toString()).consumerIdList.sort()).toEqual([
        '127.0.0.1@one',
        '127.0.0.1@two',
      ]);
      const topics = await c.invoke(RequestCode.GET_ALL_TOPIC_CONFIG);
      expect(JSON.parse(topics.body!.toString()).topicConfigTable['%RETRY%G-grp']).toMatchObject({
        readQueueNums: 1,
        perm: 6,
      });
      const conns = await c.invoke(RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: 'G-grp' });
      const cc = decodeConsumerConnection(conns.body!);
      expect(cc.connectionSet.map((x) => x.clientId).sort()).toEqual(['127.0.0.1@one', '127.0.0.1@two']);
      expect(cc.subscriptionTable.GrpT!.subString).toBe('*');
      const prods = await c.invoke(RequestCode.GET_PRODUCER_CONNECTION_LIST, { producerGroup: 'PG' });
      expect(decodeProducerConnection(prods.body!).connectionSet.length).toBeGreaterThan(0);
      // a member that unregisters leaves the group at once
      const un = RemotingCommand.request(RequestCode.UNREGISTER_CLIENT, {
        clientID: '127.0.0.1@one',
        consumerGroup: 'G-grp',
      });
      expect((await other.invokeSync(broker.addr, un, 5000)).code).toBe(ResponseCode.SUCCESS);
      const after = await c.invoke(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'G-grp' });
      expect(JSON.parse(after.body!.toString()).consumerIdList).toEqual(['127.0.0.1@two']);
      const none = await c.invoke(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'G-nobody' });
      expect(none.code).toBe(ResponseCode.SYSTEM_ERROR);
      expect(none.remark).toBe('no consumer for this group, G-nobody');
    } finally {
      await other.shutdown();
    }
  });

  it('answers the offset requests', async () => {
    await c.createTopic('OffT', 1);
    const before = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 3; i++) await c.send('OffT', `o${i}`);
    const max = await c.invoke(RequestCode.GET_MAX_OFFSET, { topic: 'OffT', queueId: 0 });
    expect(max.extFields.offset).toBe('3');
    const min = await c.invoke(RequestCode.GET_MIN_OFFSET, { topic: 'OffT', queueId: 0 });
    expect(min.extFields.offset).toBe('0');
    const search = await c.invoke(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, {
      topic: 'OffT',
      queueId: 0,
      timestamp: before,
    });
    expect(search.code).toBe(ResponseCode.SUCCESS);
    expect(search.extFields.offset).toBe('0');
    const earliest = await c.invoke(RequestCode.GET_EARLIEST_MSG_STORETIME, { topic: 'OffT', queueId: 0 });
    expect(Number(earliest.extFields.timestamp)).toBeGreaterThanOrEqual(before);
    const upd = await c.invoke(RequestCode.UPDATE_CONSUMER_OFFSET, {
      consumerGroup: 'G-off',
      topic: 'OffT',
      queueId: 0,
      commitOffset: 2,
    });
    expect(upd.code).toBe(ResponseCode.SUCCESS);
    const q = await c.invoke(RequestCode.QUERY_CONSUMER_OFFSET, {
      consumerGroup: 'G-off',
      topic: 'OffT',
      queueId: 0,
    });
    expect(q.extFields.offset).toBe('2');
    const all = await c.invoke(RequestCode.GET_ALL_CONSUMER_OFFSET);
    expect(JSON.parse(all.body!.toString()).offsetTable['OffT@G-off']).toEqual({ '0': 2 });
    const stats = decodeConsumeStats(
      (await c.invoke(RequestCode.GET_CONSUME_STATS, { consumerGroup: 'G-off', topic: 'OffT' })).body!,
    );
    expect(stats.offsetTable[0]![1]).toMatchObject({ brokerOffset: 3, consumerOffset: 2 });
    const ts = decodeTopicStatsTable(
      (await c.invoke(RequestCode.GET_TOPIC_STATS_INFO, { topic: 'OffT' })).body!,
    );
    expect(ts.offsetTable[0]![1]).toMatchObject({ minOffset: 0, maxOffset: 3 });
  });

  it('finds messages by key and by offset msgId', async () => {
    await c.createTopic('QryT', 1);
    const sent = await c.send('QryT', 'find me', { keys: 'order-42' });
    const view = await c.invoke(RequestCode.VIEW_MESSAGE_BY_ID, {
      offset: decodeOffsetMsgId(sent.extFields.msgId!).offset,
    });
    expect(view.code).toBe(ResponseCode.SUCCESS);
    expect(decodeMessages(view.body!)[0]!.body.toString()).toBe('find me');
    const found = await waitFor('index entry', async () => {
      const r = await c.invoke(RequestCode.QUERY_MESSAGE, {
        topic: 'QryT',
        key: 'order-42',
        maxNum: 32,
        beginTimestamp: 0,
        endTimestamp: Date.now() + 1000,
      });
      return r.code === ResponseCode.SUCCESS ? r : undefined;
    });
    expect(decodeMessages(found.body!)[0]!.properties.KEYS).toBe('order-42');
    const nf = await c.invoke(RequestCode.QUERY_MESSAGE, {
      topic: 'QryT',
      key: 'nope',
      maxNum: 32,
      beginTimestamp: 0,
      endTimestamp: Date.now(),
    });
    expect(nf.code).toBe(ResponseCode.QUERY_NOT_FOUND);
  });
});

describe('broker: consumer send-back', () => {
  it('CONSUMER_SEND_MSG_BACK re-stores a failed message for %RETRY%group with a delay, or in the DLQ', async () => {
    await c.createTopic('BackT', 1);
    const sent = await c.send('BackT', 'retry me', { tags: 'bt', keys: 'bk' });
    const offset = decodeOffsetMsgId(sent.extFields.msgId!).offset;
    const back = await c.invoke(RequestCode.CONSUMER_SEND_MSG_BACK, {
      offset,
      group: 'G-back',
      delayLevel: 0,
      originMsgId: sent.extFields.msgId,
      originTopic: 'BackT',
      unitMode: false,
      maxReconsumeTimes: 16,
    });
    expect(back.code).toBe(ResponseCode.SUCCESS);
    const topics = JSON.parse(
      (await c.invoke(RequestCode.GET_ALL_TOPIC_CONFIG)).body!.toString(),
    ).topicConfigTable;
    expect(topics['%RETRY%G-back']).toBeDefined();
    // delay level 3 + reconsumeTimes(0): parked in SCHEDULE_TOPIC_XXXX queue 2 until due
    const max = await c.invoke(RequestCode.GET_MAX_OFFSET, { topic: 'SCHEDULE_TOPIC_XXXX', queueId: 2 });
    const parked = await c.pull('G-inspect', 'SCHEDULE_TOPIC_XXXX', 2, Number(max.extFields.offset) - 1);
    const m = decodeMessages(parked.body!)[0]!;
    expect(m.body.toString()).toBe('retry me');
    expect(m.reconsumeTimes).toBe(1);
    expect(m.properties).toMatchObject({
      REAL_TOPIC: '%RETRY%G-back',
      RETRY_TOPIC: 'BackT',
      DELAY: '3',
      TAGS: 'bt',
      KEYS: 'bk',
      ORIGIN_MESSAGE_ID: sent.extFields.msgId,
    });
    // past maxReconsumeTimes: straight to %DLQ%group
    const dead = await c.invoke(RequestCode.CONSUMER_SEND_MSG_BACK, {
      offset,
      group: 'G-back',
      delayLevel: 0,
      unitMode: false,
      maxReconsumeTimes: 0,
    });
    expect(dead.code).toBe(ResponseCode.SUCCESS);
    const dlq = await c.pull('G-inspect', '%DLQ%G-back', 0, 0);
    expect(dlq.code).toBe(ResponseCode.SUCCESS);
    expect(decodeMessages(dlq.body!)[0]!.body.toString()).toBe('retry me');
    const bad = await c.invoke(RequestCode.CONSUMER_SEND_MSG_BACK, {
      offset: 999_999_999,
      group: 'G-back',
      delayLevel: 0,
      unitMode: false,
    });
    expect(bad.code).toBe(ResponseCode.SYSTEM_ERROR);
  });
});

describe('broker: admin', () => {
  it('creates, lists and deletes topics and subscription groups; reports config and runtime info', async () => {
    expect((await c.createTopic('AdmT', 2)).code).toBe(ResponseCode.SUCCESS);
    expect((await c.createTopic('SCHEDULE_TOPIC_XXXX', 2)).code).toBe(ResponseCode.SYSTEM_ERROR);
    expect((await c.invoke(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: 'AdmT' })).code).toBe(
      ResponseCode.SUCCESS,
    );
    const topics = JSON.parse((await c.invoke(RequestCode.GET_ALL_TOPIC_CONFIG)).body!.toString());
    expect(topics.topicConfigTable.AdmT).toBeUndefined();
    expect(topics.topicConfigTable.TBW102.perm).toBe(7);
    const sgc = { ...defaultSubscriptionGroupConfig('G-adm'), retryMaxTimes: 3 };
    const up = await c.invoke(
      RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
      undefined,
      encodeSubscriptionGroupConfig(sgc),
    );
    expect(up.code).toBe(ResponseCode.SUCCESS);
    const groups = JSON.parse(
      (await c.invoke(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG)).body!.toString(),
    );
    expect(groups.subscriptionGroupTable['G-adm'].retryMaxTimes).toBe(3);
    expect((await c.invoke(RequestCode.DELETE_SUBSCRIPTIONGROUP, { groupName: 'G-adm' })).code).toBe(
      ResponseCode.SUCCESS,
    );
    const groups2 = JSON.parse(
      (await c.invoke(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG)).body!.toString(),
    );
    expect(groups2.subscriptionGroupTable['G-adm']).toBeUndefined();
    const cfg = await c.invoke(RequestCode.GET_BROKER_CONFIG);
    expect(cfg.body!.toString()).toMatch(/^brokerName=broker-a$/m);
    expect(cfg.body!.toString()).toMatch(/^flushDiskType=ASYNC_FLUSH$/m);
    expect(cfg.extFields.version).toBeDefined();
    const black = await c.invoke(RequestCode.UPDATE_BROKER_CONFIG, undefined, Buffer.from('brokerName=x\n'));
    expect(black.code).toBe(ResponseCode.NO_PERMISSION);
    const bad = await c.invoke(
      RequestCode.UPDATE_BROKER_CONFIG,
      undefined,
      Buffer.from('defaultTopicQueueNums=many\n'),
    );
    expect(bad.code).toBe(ResponseCode.SYSTEM_ERROR);
    const rt = decodeKVTable((await c.invoke(RequestCode.GET_BROKER_RUNTIME_INFO)).body!);
    expect(rt.table.brokerVersionDesc).toBe('V4_9_8');
    expect(Number(rt.table.msgPutTotalTodayNow)).toBeGreaterThan(0);
  });

  it('INVOKE_BROKER_TO_RESET_OFFSET computes offsets and pushes them to the online consumers', async () => {
    await c.createTopic('RstT', 1);
    for (let i = 0; i < 4; i++) await c.send('RstT', `r${i}`);
    const member = new RemotingClient();
    const pushed: RemotingCommand[] = [];
    member.registerProcessor(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, (req) => {
      pushed.push(req);
      return null;
    });
    try {
      const hb = RemotingCommand.request(
        RequestCode.HEART_BEAT,
        undefined,
        heartbeatBody('127.0.0.1@rst', 'G-rst', 'RstT'),
      );
      expect((await member.invokeSync(broker.addr, hb, 5000)).code).toBe(0);
      await c.invoke(RequestCode.UPDATE_CONSUMER_OFFSET, {
        consumerGroup: 'G-rst',
        topic: 'RstT',
        queueId: 0,
        commitOffset: 4,
      });
      const r = await c.invoke(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, {
        topic: 'RstT',
        group: 'G-rst',
        timestamp: 0,
        isForce: true,
      });
      expect(r.code).toBe(ResponseCode.SUCCESS);
      expect(decodeResetOffsetBody(r.body!).offsetTable[0]![1]).toBe(0);
      await waitFor('RESET_CONSUMER_CLIENT_OFFSET', async () => (pushed.length > 0 ? true : undefined), 5000);
      expect(pushed[0]!.extFields.group).toBe('G-rst');
      const offline = await c.invoke(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, {
        topic: 'RstT',
        group: 'G-off2',
        timestamp: 0,
        isForce: true,
      });
      expect(offline.code).toBe(ResponseCode.SYSTEM_ERROR);
    } finally {
      await member.shutdown();
    }
  });
});

function heartbeatBody(clientID: string, group = 'G-grp', topic = 'GrpT'): Buffer {
  return Buffer.from(
    JSON.stringify({
      clientID,
      producerDataSet: [{ groupName: 'PG' }],
      consumerDataSet: [
        {
          groupName: group,
          consumeType: 'CONSUME_PASSIVELY',
          messageModel: 'CLUSTERING',
          consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
          unitMode: false,
          subscriptionDataSet: [
            {
              classFilterMode: false,
              topic,
              subString: '*',
              tagsSet: [],
              codeSet: [],
              subVersion: 1,
              expressionType: 'TAG',
            },
          ],
        },
      ],
    }),
  );
}
