/**
 * The broker's request table for the differential wire test (test/interop/differential-broker.test.ts):
 * one scenario over topic DiffT, in order: create the topic, send (V2, V1, batch), pull, offsets,
 * client heartbeats and locks, queries, admin codes, send-back, transactions' END_TRANSACTION, deletes.
 * Each case also gets missing/malformed field variants (differential.ts expand()).
 */
import { encodeBatchMessages } from '../../src/common/message-decoder.js';
import { encodeProperties } from '../../src/common/message-properties.js';
import type { ExtFieldValue } from '../../src/remoting/remoting-command.js';
import { RequestCode as RC } from '../../src/remoting/request-code.js';
import type { WireCase } from './differential.js';

export const T = 'DiffT';
const G = 'DiffG';
const HB_GROUP = 'DiffHB';
const PG = 'DiffPG';
const CLIENT_ID = '127.0.0.1@differential';
const BORN = 1_700_000_000_000;

const sendV2 = (queueId: number, props: Record<string, string>): Record<string, ExtFieldValue> => ({
  a: PG,
  b: T,
  c: 'TBW102',
  d: 4,
  e: queueId,
  f: 0,
  g: BORN,
  h: 0,
  // clients always send WAIT=true
  i: encodeProperties({ WAIT: 'true', ...props }),
  j: 0,
  k: false,
  l: 16,
  m: false,
});

const pull = (queueId: number, offset: number, extra: Record<string, ExtFieldValue> = {}) => ({
  consumerGroup: G,
  topic: T,
  queueId,
  queueOffset: offset,
  maxMsgNums: 32,
  // SUBSCRIPTION only: never held (no SUSPEND), the subscription comes with the request
  sysFlag: 4,
  commitOffset: 0,
  suspendTimeoutMillis: 0,
  subscription: '*',
  subVersion: 0,
  expressionType: 'TAG',
  ...extra,
});

const heartbeat = JSON.stringify({
  clientID: CLIENT_ID,
  producerDataSet: [{ groupName: PG }],
  consumerDataSet: [
    {
      groupName: HB_GROUP,
      consumeType: 'CONSUME_PASSIVELY',
      messageModel: 'CLUSTERING',
      consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
      unitMode: false,
      subscriptionDataSet: [
        {
          classFilterMode: false,
          topic: T,
          subString: 'TagA || TagB',
          tagsSet: ['TagA', 'TagB'],
          codeSet: [2598919, 2598920],
          subVersion: BORN,
          expressionType: 'TAG',
        },
      ],
    },
  ],
});

const lockBody = (clientId: string, queues: number[]) =>
  JSON.stringify({
    consumerGroup: HB_GROUP,
    clientId,
    mqSet: queues.map((queueId) => ({ topic: T, brokerName: 'broker-a', queueId })),
  });

const checkClientConfig = (subString: string, expressionType: string) =>
  JSON.stringify({
    clientId: CLIENT_ID,
    group: HB_GROUP,
    subscriptionData: {
      topic: T,
      subString,
      expressionType,
      classFilterMode: false,
      tagsSet: [],
      codeSet: [],
      subVersion: BORN,
    },
  });

const subscriptionGroup = JSON.stringify({
  groupName: 'DiffSub',
  consumeEnable: true,
  consumeFromMinEnable: true,
  consumeBroadcastEnable: true,
  retryQueueNums: 1,
  retryMaxTimes: 3,
  brokerId: 0,
  whichBrokerWhenConsumeSlowly: 1,
  notifyConsumerIdsChangedEnable: true,
});

/** Drops the entries of body[table] whose key matches. */
function dropNested(table: string, drop: (key: string) => boolean): (body: unknown) => unknown {
  return (body) => {
    if (body === null || typeof body !== 'object') return body;
    const t = (body as Record<string, unknown>)[table];
    if (t === null || typeof t !== 'object') return body;
    const kept = Object.fromEntries(Object.entries(t as Record<string, unknown>).filter(([k]) => !drop(k)));
    return { ...(body as Record<string, unknown>), [table]: kept };
  };
}

/** QueueTimeSpan times as "<time>" (a store time is each broker's own), -1 and 0 kept. */
function maskTimes(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(maskTimes);
  if (body === null || typeof body !== 'object') return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (/TimeStamp$|^delayTime$/.test(k)) out[k] = typeof v === 'number' && v > 0 ? '<time>' : v;
    else if (/TimeStampStr$/.test(k)) out[k] = '<date>';
    else out[k] = maskTimes(v);
  }
  return out;
}

export const BROKER_CASES: WireCase[] = [
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
  // the first message of the store (commit log offset 0 on both): send-back and view use it
  {
    label: 'send v2, first message',
    code: RC.SEND_MESSAGE_V2,
    ext: sendV2(0, { TAGS: 'TagA', KEYS: 'dk0' }),
    body: 'first',
    vary: [],
  },
  {
    label: 'send v2',
    code: RC.SEND_MESSAGE_V2,
    ext: sendV2(1, { TAGS: 'TagB', KEYS: 'dk1 dk2' }),
    body: 'hello',
    isolateVariantsBy: 'b',
  },
  {
    label: 'send v1',
    code: RC.SEND_MESSAGE,
    ext: {
      producerGroup: PG,
      topic: T,
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: 2,
      sysFlag: 0,
      bornTimestamp: BORN,
      flag: 3,
      properties: encodeProperties({ WAIT: 'true', TAGS: 'TagA' }),
      reconsumeTimes: 0,
      unitMode: false,
      batch: false,
      maxReconsumeTimes: 16,
    },
    body: 'v1 body',
    isolateVariantsBy: 'topic',
  },
  {
    label: 'send batch',
    code: RC.SEND_BATCH_MESSAGE,
    ext: { ...sendV2(3, {}), m: true },
    body: encodeBatchMessages(
      [0, 1, 2].map((i) => ({
        flag: 0,
        body: Buffer.from(`b${i}`),
        properties: { TAGS: 'TagB', KEYS: `bk${i}` },
      })),
    ),
    vary: ['b', 'e', 'm'],
    isolateVariantsBy: 'b',
  },
  { label: 'send to an unknown queue', code: RC.SEND_MESSAGE_V2, ext: sendV2(9, {}), body: 'x', vary: [] },
  { label: 'pull', code: RC.PULL_MESSAGE, ext: pull(1, 0), bodyMode: 'messages' },
  {
    label: 'pull filtered by tag',
    code: RC.PULL_MESSAGE,
    ext: pull(0, 0, { subscription: 'TagB' }),
    bodyMode: 'messages',
    vary: [],
  },
  { label: 'pull at the end', code: RC.PULL_MESSAGE, ext: pull(1, 10), vary: [] },
  {
    label: 'pull of an unknown topic',
    code: RC.PULL_MESSAGE,
    ext: { ...pull(0, 0), topic: 'NoSuchDiffT' },
    vary: [],
  },
  {
    label: 'update consumer offset',
    code: RC.UPDATE_CONSUMER_OFFSET,
    ext: { consumerGroup: G, topic: T, queueId: 1, commitOffset: 1 },
  },
  {
    label: 'query consumer offset',
    code: RC.QUERY_CONSUMER_OFFSET,
    ext: { consumerGroup: G, topic: T, queueId: 1 },
  },
  {
    label: 'query consumer offset of a new group',
    code: RC.QUERY_CONSUMER_OFFSET,
    ext: { consumerGroup: 'DiffNew', topic: T, queueId: 2 },
    vary: [],
  },
  { label: 'max offset', code: RC.GET_MAX_OFFSET, ext: { topic: T, queueId: 3 } },
  { label: 'min offset', code: RC.GET_MIN_OFFSET, ext: { topic: T, queueId: 3 } },
  {
    label: 'search offset by time',
    code: RC.SEARCH_OFFSET_BY_TIMESTAMP,
    ext: { topic: T, queueId: 1, timestamp: 0 },
  },
  { label: 'earliest store time', code: RC.GET_EARLIEST_MSG_STORETIME, ext: { topic: T, queueId: 1 } },
  { label: 'query broker offset', code: RC.QUERY_BROKER_OFFSET },
  { label: 'heartbeat', code: RC.HEART_BEAT, body: heartbeat },
  { label: 'consumer list', code: RC.GET_CONSUMER_LIST_BY_GROUP, ext: { consumerGroup: HB_GROUP } },
  { label: 'check client config, TAG', code: RC.CHECK_CLIENT_CONFIG, body: checkClientConfig('TagA', 'TAG') },
  {
    label: 'check client config, bad SQL92',
    code: RC.CHECK_CLIENT_CONFIG,
    body: checkClientConfig('a >', 'SQL92'),
    varyBody: false,
  },
  { label: 'lock queues', code: RC.LOCK_BATCH_MQ, body: lockBody(CLIENT_ID, [0, 1]) },
  {
    label: 'lock queues held by another',
    code: RC.LOCK_BATCH_MQ,
    body: lockBody('other', [0, 2]),
    varyBody: false,
  },
  { label: 'unlock queues', code: RC.UNLOCK_BATCH_MQ, body: lockBody(CLIENT_ID, [0, 1]) },
  {
    label: 'query message by key',
    code: RC.QUERY_MESSAGE,
    ext: { topic: T, key: 'dk1', maxNum: 32, beginTimestamp: 0, endTimestamp: 9_999_999_999_999 },
    bodyMode: 'messages',
    volatileExt: ['indexLastUpdatePhyoffset'],
  },
  {
    label: 'query message by an unknown key',
    code: RC.QUERY_MESSAGE,
    ext: { topic: T, key: 'nope', maxNum: 32, beginTimestamp: 0, endTimestamp: 9_999_999_999_999 },
    vary: [],
  },
  { label: 'view message', code: RC.VIEW_MESSAGE_BY_ID, ext: { offset: 0 }, bodyMode: 'messages' },
  {
    label: 'view message at a bad offset',
    code: RC.VIEW_MESSAGE_BY_ID,
    ext: { offset: 987_654_321 },
    vary: [],
  },
  { label: 'topic stats', code: RC.GET_TOPIC_STATS_INFO, ext: { topic: T } },
  {
    label: 'consume stats',
    code: RC.GET_CONSUME_STATS,
    ext: { consumerGroup: G, topic: T },
    // a rate over the last minute's samples: when each broker sampled decides it
    bodyFilter: (b) => (b !== null && typeof b === 'object' ? { ...b, consumeTps: '<rate>' } : b),
  },
  { label: 'consumer connections', code: RC.GET_CONSUMER_CONNECTION_LIST, ext: { consumerGroup: HB_GROUP } },
  { label: 'producer connections', code: RC.GET_PRODUCER_CONNECTION_LIST, ext: { producerGroup: PG } },
  {
    label: 'all topic config',
    code: RC.GET_ALL_TOPIC_CONFIG,
    bodyMode: 'shape',
    // topics the send variants named (<topic>_V<n>): 4.9.8 auto-creates them in msgCheck before a
    // missing or bad field fails the send; CometMQ refuses such a send before anything changes
    // (docs/compatibility.md, broker: a required header field missing or not a number)
    bodyFilter: dropNested('topicConfigTable', (k) => /_V\d+$/.test(k)),
  },
  {
    label: 'all consumer offsets',
    code: RC.GET_ALL_CONSUMER_OFFSET,
  },
  { label: 'all delay offsets', code: RC.GET_ALL_DELAY_OFFSET, bodyMode: 'shape' },
  {
    label: 'create subscription group',
    code: RC.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
    body: subscriptionGroup,
  },
  { label: 'all subscription groups', code: RC.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, bodyMode: 'shape' },
  { label: 'delete subscription group', code: RC.DELETE_SUBSCRIPTIONGROUP, ext: { groupName: 'DiffSub' } },
  { label: 'system topics', code: RC.GET_SYSTEM_TOPIC_LIST_FROM_BROKER },
  { label: 'who consumes the topic', code: RC.QUERY_TOPIC_CONSUME_BY_WHO, ext: { topic: T } },
  {
    label: 'consume time span',
    code: RC.QUERY_CONSUME_TIME_SPAN,
    ext: { topic: T, group: G },
    // store times are each broker's own; which are set (-1, 0 or a time) is compared
    bodyFilter: (b) => maskTimes(b),
  },
  {
    label: 'consume time span of an unknown topic',
    code: RC.QUERY_CONSUME_TIME_SPAN,
    ext: { topic: 'NoSuchDiffT', group: G },
    vary: [],
  },
  // filterGroups names no group: 4.9.8 removes the offsets of the groups it names from its table
  {
    label: 'correction offset',
    code: RC.QUERY_CORRECTION_OFFSET,
    ext: { topic: T, compareGroup: G, filterGroups: 'DiffNone' },
    vary: ['topic', 'compareGroup'],
  },
  // a client id that is not connected: forwarding to a live consumer is in test/client (ADMIN_TO_CLIENT)
  {
    label: 'consumer running info of an absent client',
    code: RC.GET_CONSUMER_RUNNING_INFO,
    ext: { consumerGroup: HB_GROUP, clientId: 'nobody@differential', jstackEnable: false },
    vary: ['consumerGroup', 'clientId'],
  },
  {
    label: 'consume message directly, absent client',
    code: RC.CONSUME_MESSAGE_DIRECTLY,
    ext: {
      consumerGroup: HB_GROUP,
      clientId: 'nobody@differential',
      msgId: '7F000001000000000000000000000000',
    },
    vary: ['consumerGroup', 'clientId'],
  },
  {
    label: 'reset offsets',
    code: RC.INVOKE_BROKER_TO_RESET_OFFSET,
    ext: { topic: T, group: G, timestamp: 0, isForce: true },
  },
  // keys and values are each broker's own: mqadmin.test.ts compares the keys (brokerStatus, getBrokerConfig)
  { label: 'runtime info', code: RC.GET_BROKER_RUNTIME_INFO, bodyMode: 'ignore' },
  { label: 'broker config', code: RC.GET_BROKER_CONFIG, bodyMode: 'ignore' },
  {
    label: 'update broker config',
    code: RC.UPDATE_BROKER_CONFIG,
    body: 'fileReservedTime=48\n',
    varyBody: false,
  },
  {
    label: 'send back',
    code: RC.CONSUMER_SEND_MSG_BACK,
    ext: { offset: 0, group: G, delayLevel: 0, originTopic: T, unitMode: false, maxReconsumeTimes: 16 },
  },
  {
    label: 'end transaction of no half message',
    code: RC.END_TRANSACTION,
    ext: {
      producerGroup: PG,
      tranStateTableOffset: 0,
      commitLogOffset: 987_654_321,
      commitOrRollback: 8,
      fromTransactionCheck: false,
      msgId: '7F0000010000000000000000000003E8',
    },
    timeoutMs: 1500,
  },
  {
    label: 'unregister client',
    code: RC.UNREGISTER_CLIENT,
    ext: { clientID: CLIENT_ID, producerGroup: PG, consumerGroup: HB_GROUP },
  },
  // store maintenance triggers: nothing is old enough to go, both answer SUCCESS
  { label: 'clean expired consume queues', code: RC.CLEAN_EXPIRED_CONSUMEQUEUE },
  { label: 'delete expired commit log', code: RC.DELETE_EXPIRED_COMMITLOG },
  { label: 'clean unused topics', code: RC.CLEAN_UNUSED_TOPIC },
  { label: 'delete topic', code: RC.DELETE_TOPIC_IN_BROKER, ext: { topic: T } },
  { label: 'unknown code', code: 9999 },
];
