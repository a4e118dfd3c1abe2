/**
 * The same requests to the reference Apache RocketMQ 4.9.8 broker and to ours, answers compared: response
 * code, remark (ports and addresses normalised), the set of extFields keys and the values that do not
 * depend on time or address. Differences we keep on purpose are listed in docs/compatibility.md and
 * their requests are not sent here. Skipped without the reference distribution.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBatchMessages } from '../../src/common/message-decoder.js';
import { encodeProperties } from '../../src/common/message-properties.js';
import { RemotingClient } from '../../src/remoting/remoting-client.js';
import { type ExtFieldValue, RemotingCommand } from '../../src/remoting/remoting-command.js';
import { RequestCode as RC } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { type RunningProcess, startBroker, startNamesrv, tempDir } from '../helpers/cometmq-processes.js';
import { type QueueCount, waitForMaxOffsets } from '../helpers/dispatch-wait.js';
import {
  type ReferenceServer,
  referenceAvailable,
  startReferenceBroker,
  startReferenceNamesrv,
} from '../helpers/reference-processes.js';

interface Step {
  label: string;
  code: number;
  ext?: Record<string, ExtFieldValue>;
  body?: Buffer;
  /** extFields whose values must be equal too (the rest: only present on both) */
  values?: string[];
  /** compare the body as JSON (key sets of its top-level object) */
  bodyKeys?: boolean;
  /** this array field of the body is compared as a sorted set */
  bodySet?: string;
  /** the body is compared as parsed JSON */
  bodyText?: boolean;
  /** only the response code is compared (remarks differ on purpose: docs/compatibility.md) */
  codeOnly?: boolean;
  /** messages in the body of a SEND_BATCH_MESSAGE step (other sends carry one) */
  messages?: number;
}

const T = 'CompatT';
const now = Date.now();
const v2 = (
  topic: string,
  queueId: number,
  props: Record<string, string> = {},
): Record<string, ExtFieldValue> => ({
  a: 'PG_COMPAT',
  b: topic,
  c: 'TBW102',
  d: 4,
  e: queueId,
  f: 0,
  g: now,
  h: 0,
  i: encodeProperties({ WAIT: 'true', ...props }),
  j: 0,
  k: false,
  l: 16,
  m: false,
});
const pull = (
  topic: string,
  queueId: number,
  offset: number,
  extra: Record<string, ExtFieldValue> = {},
): Record<string, ExtFieldValue> => ({
  consumerGroup: 'G_COMPAT',
  topic,
  queueId,
  queueOffset: offset,
  maxMsgNums: 32,
  sysFlag: 4,
  commitOffset: 0,
  suspendTimeoutMillis: 0,
  subscription: '*',
  subVersion: 0,
  expressionType: 'TAG',
  ...extra,
});
const heartbeat = Buffer.from(
  JSON.stringify({
    clientID: '127.0.0.1@compat',
    producerDataSet: [{ groupName: 'PG_COMPAT' }],
    consumerDataSet: [
      {
        groupName: 'G_HB',
        consumeType: 'CONSUME_PASSIVELY',
        messageModel: 'CLUSTERING',
        consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
        unitMode: false,
        subscriptionDataSet: [
          {
            classFilterMode: false,
            topic: T,
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

const steps: Step[] = [
  {
    label: 'create topic',
    code: RC.UPDATE_AND_CREATE_TOPIC,
    ext: {
      topic: T,
      defaultTopic: 'TBW102',
      readQueueNums: 4,
      writeQueueNums: 4,
      perm: 6,
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: 0,
      order: false,
    },
  },
  {
    label: 'create system topic',
    code: RC.UPDATE_AND_CREATE_TOPIC,
    ext: {
      topic: 'SCHEDULE_TOPIC_XXXX',
      defaultTopic: 'TBW102',
      readQueueNums: 4,
      writeQueueNums: 4,
      perm: 6,
      topicFilterType: 'SINGLE_TAG',
      order: false,
    },
  },
  {
    label: 'send v2',
    code: RC.SEND_MESSAGE_V2,
    ext: v2(T, 1, { TAGS: 'TagA', KEYS: 'k1' }),
    body: Buffer.from('hello'),
    values: ['queueId', 'queueOffset', 'MSG_REGION', 'TRACE_ON'],
  },
  {
    label: 'send v2 again',
    code: RC.SEND_MESSAGE_V2,
    ext: v2(T, 1, { TAGS: 'TagB' }),
    body: Buffer.from('world'),
    values: ['queueId', 'queueOffset'],
  },
  {
    label: 'send v1',
    code: RC.SEND_MESSAGE,
    ext: {
      producerGroup: 'PG_COMPAT',
      topic: T,
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: 2,
      sysFlag: 0,
      bornTimestamp: now,
      flag: 0,
      properties: encodeProperties({ TAGS: 'TagA' }),
      reconsumeTimes: 0,
      unitMode: false,
    },
    body: Buffer.from('v1'),
    values: ['queueId', 'queueOffset'],
  },
  {
    label: 'send batch',
    code: RC.SEND_BATCH_MESSAGE,
    ext: { ...v2(T, 2), m: true },
    body: encodeBatchMessages(
      [0, 1, 2].map((i) => ({ flag: 0, body: Buffer.from(`b${i}`), properties: { TAGS: 'TagB' } })),
    ),
    messages: 3,
    values: ['queueId', 'queueOffset'],
  },
  { label: 'send to a bad queue id', code: RC.SEND_MESSAGE_V2, ext: v2(T, 9), body: Buffer.from('x') },
  {
    label: 'send to a not-allowed system topic',
    code: RC.SEND_MESSAGE_V2,
    ext: v2('SCHEDULE_TOPIC_XXXX', 0),
    body: Buffer.from('x'),
  },
  {
    label: 'send to an illegal topic name',
    code: RC.SEND_MESSAGE_V2,
    ext: v2('bad topic!', 0),
    body: Buffer.from('x'),
  },
  {
    label: 'pull found',
    code: RC.PULL_MESSAGE,
    ext: pull(T, 1, 0),
    values: ['nextBeginOffset', 'minOffset', 'maxOffset', 'suggestWhichBrokerId'],
  },
  {
    label: 'pull filtered to one tag',
    code: RC.PULL_MESSAGE,
    ext: pull(T, 1, 0, { subscription: 'TagB' }),
    values: ['nextBeginOffset', 'minOffset', 'maxOffset'],
  },
  {
    label: 'pull nothing matches',
    code: RC.PULL_MESSAGE,
    ext: pull(T, 1, 0, { subscription: 'TagZ' }),
    values: ['nextBeginOffset', 'minOffset', 'maxOffset'],
  },
  {
    label: 'pull at the end',
    code: RC.PULL_MESSAGE,
    ext: pull(T, 1, 2),
    values: ['nextBeginOffset', 'minOffset', 'maxOffset'],
  },
  {
    label: 'pull far beyond',
    code: RC.PULL_MESSAGE,
    ext: pull(T, 1, 1000),
    values: ['nextBeginOffset', 'minOffset', 'maxOffset'],
  },
  {
    label: 'pull an empty queue at 0',
    code: RC.PULL_MESSAGE,
    ext: pull(T, 3, 0),
    values: ['nextBeginOffset', 'minOffset', 'maxOffset'],
  },
  {
    label: 'pull an empty queue at 5',
    code: RC.PULL_MESSAGE,
    ext: pull(T, 3, 5),
    values: ['nextBeginOffset', 'minOffset', 'maxOffset'],
  },
  { label: 'pull unknown topic', code: RC.PULL_MESSAGE, ext: pull('NoSuchCompatT', 0, 0) },
  { label: 'pull bad queue id', code: RC.PULL_MESSAGE, ext: pull(T, 7, 0) },
  {
    label: 'pull without subscription, unknown group',
    code: RC.PULL_MESSAGE,
    ext: pull(T, 1, 0, { sysFlag: 0, consumerGroup: 'G_NOBODY' }),
  },
  {
    label: 'query offset of a new group',
    code: RC.QUERY_CONSUMER_OFFSET,
    ext: { consumerGroup: 'G_NEW', topic: T, queueId: 1 },
    values: ['offset'],
  },
  {
    label: 'update offset',
    code: RC.UPDATE_CONSUMER_OFFSET,
    ext: { consumerGroup: 'G_COMPAT', topic: T, queueId: 1, commitOffset: 1 },
  },
  {
    label: 'query offset',
    code: RC.QUERY_CONSUMER_OFFSET,
    ext: { consumerGroup: 'G_COMPAT', topic: T, queueId: 1 },
    values: ['offset'],
  },
  { label: 'max offset', code: RC.GET_MAX_OFFSET, ext: { topic: T, queueId: 1 }, values: ['offset'] },
  { label: 'min offset', code: RC.GET_MIN_OFFSET, ext: { topic: T, queueId: 1 }, values: ['offset'] },
  {
    label: 'max offset of an unknown topic',
    code: RC.GET_MAX_OFFSET,
    ext: { topic: 'NoSuchCompatT', queueId: 0 },
    values: ['offset'],
  },
  {
    label: 'search offset by time 0',
    code: RC.SEARCH_OFFSET_BY_TIMESTAMP,
    ext: { topic: T, queueId: 1, timestamp: 0 },
    values: ['offset'],
  },
  {
    label: 'search offset in the future',
    code: RC.SEARCH_OFFSET_BY_TIMESTAMP,
    ext: { topic: T, queueId: 1, timestamp: now + 3_600_000 },
    values: ['offset'],
  },
  { label: 'earliest store time', code: RC.GET_EARLIEST_MSG_STORETIME, ext: { topic: T, queueId: 1 } },
  { label: 'heartbeat', code: RC.HEART_BEAT, body: heartbeat },
  {
    label: 'consumer list',
    code: RC.GET_CONSUMER_LIST_BY_GROUP,
    ext: { consumerGroup: 'G_HB' },
    bodyKeys: true,
  },
  {
    label: 'consumer list of an unknown group',
    code: RC.GET_CONSUMER_LIST_BY_GROUP,
    ext: { consumerGroup: 'G_NOBODY' },
  },
  {
    label: 'consumer connections of an unknown group',
    code: RC.GET_CONSUMER_CONNECTION_LIST,
    ext: { consumerGroup: 'G_NOBODY' },
  },
  {
    label: 'producer connections of an unknown group',
    code: RC.GET_PRODUCER_CONNECTION_LIST,
    ext: { producerGroup: 'PG_NOBODY' },
  },
  {
    label: 'consumer connections',
    code: RC.GET_CONSUMER_CONNECTION_LIST,
    ext: { consumerGroup: 'G_HB' },
    bodyKeys: true,
  },
  {
    label: 'unregister client',
    code: RC.UNREGISTER_CLIENT,
    ext: { clientID: '127.0.0.1@compat', consumerGroup: 'G_HB' },
  },
  { label: 'view message at a bad offset', code: RC.VIEW_MESSAGE_BY_ID, ext: { offset: 987_654_321 } },
  {
    label: 'query message by an unknown key',
    code: RC.QUERY_MESSAGE,
    ext: { topic: T, key: 'nope', maxNum: 32, beginTimestamp: 0, endTimestamp: now + 60_000 },
  },
  {
    label: 'topic stats of an unknown topic',
    code: RC.GET_TOPIC_STATS_INFO,
    ext: { topic: 'NoSuchCompatT' },
  },
  { label: 'topic stats', code: RC.GET_TOPIC_STATS_INFO, ext: { topic: T }, bodyKeys: true },
  {
    label: 'consume stats',
    code: RC.GET_CONSUME_STATS,
    ext: { consumerGroup: 'G_COMPAT', topic: T },
    bodyKeys: true,
  },
  {
    label: 'reset offset of an offline group',
    code: RC.INVOKE_BROKER_TO_RESET_OFFSET,
    ext: { topic: T, group: 'G_COMPAT', timestamp: 0, isForce: true },
  },
  {
    label: 'reset offset of a group without offsets',
    code: RC.INVOKE_BROKER_TO_RESET_OFFSET,
    ext: { topic: T, group: 'G_NOBODY', timestamp: 0, isForce: true },
  },
  {
    label: 'reset offset of an unknown topic',
    code: RC.INVOKE_BROKER_TO_RESET_OFFSET,
    ext: { topic: 'NoSuchCompatT', group: 'G_COMPAT', timestamp: 0, isForce: true },
  },
  {
    label: 'update a black-listed broker config key',
    code: RC.UPDATE_BROKER_CONFIG,
    body: Buffer.from('brokerConfigPath=/tmp/x\n'),
  },
  { label: 'delete a system topic', code: RC.DELETE_TOPIC_IN_BROKER, ext: { topic: 'SCHEDULE_TOPIC_XXXX' } },
  { label: 'all topic config', code: RC.GET_ALL_TOPIC_CONFIG, bodyKeys: true },
  { label: 'all consumer offsets', code: RC.GET_ALL_CONSUMER_OFFSET, bodyKeys: true },
  {
    label: 'create subscription group',
    code: RC.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
    body: Buffer.from(
      JSON.stringify({
        groupName: 'G_SUB',
        consumeEnable: true,
        consumeFromMinEnable: true,
        consumeBroadcastEnable: true,
        retryQueueNums: 1,
        retryMaxTimes: 3,
        brokerId: 0,
        whichBrokerWhenConsumeSlowly: 1,
        notifyConsumerIdsChangedEnable: true,
      }),
    ),
  },
  { label: 'all subscription groups', code: RC.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, bodyKeys: true },
  {
    label: 'lock queues',
    code: RC.LOCK_BATCH_MQ,
    body: Buffer.from(
      JSON.stringify({
        consumerGroup: 'G_LOCK',
        clientId: 'c1',
        mqSet: [
          { topic: T, brokerName: 'broker-a', queueId: 0 },
          { topic: T, brokerName: 'broker-a', queueId: 1 },
        ],
      }),
    ),
    bodyKeys: true,
  },
  {
    label: 'lock queues held by another client',
    code: RC.LOCK_BATCH_MQ,
    body: Buffer.from(
      JSON.stringify({
        consumerGroup: 'G_LOCK',
        clientId: 'c2',
        mqSet: [{ topic: T, brokerName: 'broker-a', queueId: 0 }],
      }),
    ),
    bodyKeys: true,
  },
  {
    label: 'unlock queues',
    code: RC.UNLOCK_BATCH_MQ,
    body: Buffer.from(
      JSON.stringify({
        consumerGroup: 'G_LOCK',
        clientId: 'c1',
        mqSet: [{ topic: T, brokerName: 'broker-a', queueId: 0 }],
      }),
    ),
  },
  {
    label: 'lock an unlocked queue',
    code: RC.LOCK_BATCH_MQ,
    body: Buffer.from(
      JSON.stringify({
        consumerGroup: 'G_LOCK',
        clientId: 'c2',
        mqSet: [{ topic: T, brokerName: 'broker-a', queueId: 0 }],
      }),
    ),
    bodyText: true,
  },
  {
    label: 'who consumes the topic',
    code: RC.QUERY_TOPIC_CONSUME_BY_WHO,
    ext: { topic: T },
    bodySet: 'groupList',
  },
  { label: 'system topics of the broker', code: RC.GET_SYSTEM_TOPIC_LIST_FROM_BROKER, bodySet: 'topicList' },
  {
    label: 'consume stats of the whole broker',
    code: RC.GET_BROKER_CONSUME_STATS,
    ext: { isOrder: false },
    bodyKeys: true,
  },
  {
    label: 'clone group offsets',
    code: RC.CLONE_GROUP_OFFSET,
    ext: { srcGroup: 'G_COMPAT', destGroup: 'G_CLONE', topic: T, offline: false },
  },
  {
    label: 'offset of the clone',
    code: RC.QUERY_CONSUMER_OFFSET,
    ext: { consumerGroup: 'G_CLONE', topic: T, queueId: 1 },
    values: ['offset'],
  },
  { label: 'delete subscription group', code: RC.DELETE_SUBSCRIPTIONGROUP, ext: { groupName: 'G_COMPAT' } },
  {
    label: 'send back at a bad offset',
    code: RC.CONSUMER_SEND_MSG_BACK,
    ext: { offset: 987_654_321, group: 'G_COMPAT', delayLevel: 0, unitMode: false },
  },
  { label: 'check client config without a body', code: RC.CHECK_CLIENT_CONFIG, ext: {}, codeOnly: true },
  {
    label: 'check client config, TAG',
    code: RC.CHECK_CLIENT_CONFIG,
    body: Buffer.from(
      JSON.stringify({
        clientId: 'c',
        group: 'G_COMPAT',
        subscriptionData: {
          topic: T,
          subString: '*',
          expressionType: 'TAG',
          classFilterMode: false,
          tagsSet: [],
          codeSet: [],
          subVersion: 1,
        },
      }),
    ),
  },
  {
    label: 'check client config, SQL92 without enablePropertyFilter',
    code: RC.CHECK_CLIENT_CONFIG,
    body: Buffer.from(
      JSON.stringify({
        clientId: 'c',
        group: 'G_COMPAT',
        subscriptionData: {
          topic: T,
          subString: 'a > 1',
          expressionType: 'SQL92',
          classFilterMode: false,
          tagsSet: [],
          codeSet: [],
          subVersion: 1,
        },
      }),
    ),
  },
  { label: 'delete topic', code: RC.DELETE_TOPIC_IN_BROKER, ext: { topic: T } },
  { label: 'unknown code', code: 9999 },
];

interface Answer {
  code: number;
  remark: string | null;
  extKeys: string[];
  values: Record<string, string | undefined>;
  bodyKeys?: string[];
  body?: unknown;
}

/** fastjson writes bean fields in alphabetical order; compare JSON bodies up to key order. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

function normalise(remark: string | null, addrs: string[]): string | null {
  if (remark === null) return null;
  let r = remark;
  for (const a of addrs) r = r.split(a).join('<broker>');
  return r.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>').replace(/\/127\.0\.0\.1/g, '127.0.0.1');
}

const SENDS = new Set<number>([RC.SEND_MESSAGE, RC.SEND_MESSAGE_V2, RC.SEND_BATCH_MESSAGE]);

async function run(client: RemotingClient, addr: string, nsAddr: string): Promise<Answer[]> {
  const out: Answer[] = [];
  // messages acknowledged per queue; the reference dispatches them to its ConsumeQueue on another
  // thread (ReputMessageService), so the steps after the sends wait until both brokers show them all
  const sent = new Map<string, QueueCount>();
  let undispatched = false;
  for (const s of steps) {
    if (undispatched && !SENDS.has(s.code)) {
      await waitForMaxOffsets(client, addr, [...sent.values()]);
      undispatched = false;
    }
    const r = await client.invokeSync(addr, RemotingCommand.request(s.code, s.ext, s.body ?? null), 10_000);
    if (SENDS.has(s.code) && r.code === ResponseCode.SUCCESS) {
      const topic = String(s.ext?.b ?? s.ext?.topic);
      const queueId = Number(r.extFields.queueId);
      const key = `${topic}/${queueId}`;
      const q = sent.get(key) ?? { topic, queueId, count: 0 };
      q.count += s.messages ?? 1;
      sent.set(key, q);
      undispatched = true;
    }
    const a: Answer = {
      code: r.code,
      remark: s.codeOnly ? null : normalise(r.remark, [addr, nsAddr]),
      extKeys: Object.keys(r.extFields).sort(),
      values: Object.fromEntries((s.values ?? []).map((k) => [k, r.extFields[k]])),
    };
    if (s.bodySet)
      a.body = r.body
        ? ((JSON.parse(r.body.toString()) as Record<string, string[]>)[s.bodySet] ?? []).sort()
        : null;
    if (s.bodyText) a.body = r.body ? sortKeys(JSON.parse(r.body.toString())) : null;
    if (s.bodyKeys) {
      const body = r.body?.toString() ?? '';
      a.bodyKeys = [...body.matchAll(/"([A-Za-z]+)":/g)]
        .map((m) => m[1]!)
        .filter((k, i, arr) => arr.indexOf(k) === i)
        .sort();
    }
    out.push(a);
  }
  return out;
}

describe.skipIf(!referenceAvailable())('broker answers compared with Apache RocketMQ 4.9.8', () => {
  let refNs: ReferenceServer;
  let refBroker: ReferenceServer;
  let ns: RunningProcess;
  let broker: RunningProcess;
  let dir: { path: string; remove(): Promise<void> };
  const client = new RemotingClient();

  beforeAll(async () => {
    dir = await tempDir('cometmq-broker-compat-');
    [refNs, ns] = await Promise.all([startReferenceNamesrv(), startNamesrv()]);
    [refBroker, broker] = await Promise.all([
      startReferenceBroker({ namesrvAddr: refNs.addr, brokerName: 'broker-a' }),
      startBroker({ namesrvAddr: ns.addr, storePathRootDir: dir.path, brokerName: 'broker-a' }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await client.shutdown();
    await broker?.kill();
    await ns?.kill();
    await refBroker?.shutdown();
    await refNs?.shutdown();
    await dir?.remove();
  });

  it('gives the same answers, step by step', async () => {
    const ours = await run(client, broker.addr, ns.addr);
    const theirs = await run(client, refBroker.addr, refNs.addr);
    const diffs: string[] = [];
    steps.forEach((s, i) => {
      const a = JSON.stringify(ours[i]);
      const b = JSON.stringify(theirs[i]);
      if (a !== b) diffs.push(`${s.label}\n  cometmq:   ${a}\n  reference: ${b}`);
    });
    if (diffs.length > 0) console.log(diffs.join('\n'));
    expect(diffs).toEqual([]);
  }, 120_000);
});
