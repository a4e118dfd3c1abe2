/**
 * What a consumer answers to the admin requests a broker forwards to it (mqadmin consumerStatus,
 * consumeMessage): ConsumerRunningInfo for GET_CONSUMER_RUNNING_INFO (307) and
 * ConsumeMessageDirectlyResult for CONSUME_MESSAGE_DIRECTLY (309), in fastjson's shapes.
 */
import { toJson } from '../../common/lenient-json.js';
import type { SubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';
import type { MessageExt } from '../message.js';
import type { MessageQueue } from '../message-queue.js';
import type { MessageListenerConcurrently } from './consume-message-concurrently-service.js';
import type { MessageListenerOrderly } from './consume-message-orderly-service.js';
import type { ProcessQueue } from './process-queue.js';

/** ConsumerRunningInfo.PROP_*: the keys mqadmin reads. */
export const RunningInfoProps = {
  PROP_NAMESERVER_ADDR: 'PROP_NAMESERVER_ADDR',
  PROP_THREADPOOL_CORE_SIZE: 'PROP_THREADPOOL_CORE_SIZE',
  PROP_CONSUME_ORDERLY: 'PROP_CONSUMEORDERLY',
  PROP_CONSUME_TYPE: 'PROP_CONSUME_TYPE',
  PROP_CLIENT_VERSION: 'PROP_CLIENT_VERSION',
  PROP_CONSUMER_START_TIMESTAMP: 'PROP_CONSUMER_START_TIMESTAMP',
} as const;

/** ProcessQueueInfo, filled as ProcessQueue.fillProcessQueueInfo does. */
export interface ProcessQueueInfo {
  commitOffset: number;
  cachedMsgMinOffset: number;
  cachedMsgMaxOffset: number;
  cachedMsgCount: number;
  cachedMsgSizeInMiB: number;
  transactionMsgMinOffset: number;
  transactionMsgMaxOffset: number;
  transactionMsgCount: number;
  locked: boolean;
  tryUnlockTimes: number;
  lastLockTimestamp: number;
  droped: boolean;
  lastPullTimestamp: number;
  lastConsumeTimestamp: number;
}

export function processQueueInfo(pq: ProcessQueue, commitOffset: number): ProcessQueueInfo {
  const buffered = pq.messages();
  return {
    commitOffset,
    cachedMsgMinOffset: buffered[0]?.queueOffset ?? 0,
    cachedMsgMaxOffset: buffered[buffered.length - 1]?.queueOffset ?? 0,
    cachedMsgCount: buffered.length,
    cachedMsgSizeInMiB: Math.floor(pq.msgSizeBytes / (1024 * 1024)),
    transactionMsgMinOffset: 0,
    transactionMsgMaxOffset: 0,
    transactionMsgCount: pq.msgCount - buffered.length,
    locked: pq.locked,
    tryUnlockTimes: pq.tryUnlockTimes,
    lastLockTimestamp: pq.lastLockTimestamp,
    droped: pq.dropped,
    lastPullTimestamp: pq.lastPullTimestamp,
    lastConsumeTimestamp: pq.lastConsumeTimestamp,
  };
}

export interface ConsumerRunningInfo {
  properties: Record<string, string>;
  subscriptionSet: SubscriptionData[];
  mqTable: { mq: MessageQueue; info: ProcessQueueInfo }[];
  /** Per topic: pullRT, pullTPS, consumeRT, consumeOKTPS, consumeFailedTPS, consumeFailedMsgs. */
  statusTable: Record<string, Record<string, number>>;
  jstack?: string;
}

/** A consumer's running info: its settings, subscriptions, and each owned queue's state and offset. */
export async function collectConsumerRunningInfo(
  properties: Record<string, string>,
  queues: readonly { mq: MessageQueue; pq: ProcessQueue }[],
  readOffset: (mq: MessageQueue) => Promise<number>,
  subscriptionSet: SubscriptionData[],
): Promise<ConsumerRunningInfo> {
  const mqTable: ConsumerRunningInfo['mqTable'] = [];
  for (const { mq, pq } of queues) mqTable.push({ mq, info: processQueueInfo(pq, await readOffset(mq)) });
  // per-topic rates (ConsumerStatsManager) are not kept by this SDK: zeros, as an idle Java consumer
  const statusTable: ConsumerRunningInfo['statusTable'] = {};
  for (const sd of subscriptionSet)
    statusTable[sd.topic] = {
      pullRT: 0,
      pullTPS: 0,
      consumeRT: 0,
      consumeOKTPS: 0,
      consumeFailedTPS: 0,
      consumeFailedMsgs: 0,
    };
  return { properties, subscriptionSet, mqTable, statusTable };
}

/**
 * ConsumerRunningInfo.encode as fastjson writes it: mqTable is a map keyed by MessageQueue objects,
 * which fastjson writes as the key object itself (`{{"brokerName":..,"queueId":0,"topic":..}:{...}}`),
 * not valid JSON but what mqadmin parses. MessageQueue fields come in fastjson's alphabetical order.
 */
export function encodeConsumerRunningInfo(info: ConsumerRunningInfo): Buffer {
  const mqs = [...info.mqTable].sort(
    (a, b) =>
      a.mq.topic.localeCompare(b.mq.topic) ||
      a.mq.brokerName.localeCompare(b.mq.brokerName) ||
      a.mq.queueId - b.mq.queueId,
  );
  const mqTable = mqs
    .map(
      ({ mq, info: i }) =>
        `${toJson({ brokerName: mq.brokerName, queueId: mq.queueId, topic: mq.topic })}:${toJson(i)}`,
    )
    .join(',');
  const parts = [
    `"properties":${toJson(info.properties)}`,
    `"subscriptionSet":${toJson(info.subscriptionSet)}`,
    `"mqTable":{${mqTable}}`,
    `"statusTable":${toJson(info.statusTable)}`,
  ];
  if (info.jstack !== undefined) parts.push(`"jstack":${toJson(info.jstack)}`);
  return Buffer.from(`{${parts.join(',')}}`);
}

/** CMResult. */
export type CMResult =
  | 'CR_SUCCESS'
  | 'CR_LATER'
  | 'CR_ROLLBACK'
  | 'CR_COMMIT'
  | 'CR_THROW_EXCEPTION'
  | 'CR_RETURN_NULL';

/** ConsumeMessageDirectlyResult. */
export interface ConsumeMessageDirectlyResult {
  order: boolean;
  autoCommit: boolean;
  consumeResult: CMResult;
  remark?: string;
  spentTimeMills: number;
}

export function encodeConsumeMessageDirectlyResult(r: ConsumeMessageDirectlyResult): Buffer {
  return Buffer.from(toJson(r));
}

/**
 * consumeMessageDirectly of ConsumeMessageConcurrentlyService / ConsumeMessageOrderlyService: runs the
 * listener on one message and reports its answer (a throw as CR_THROW_EXCEPTION with its text).
 */
export async function consumeMessageDirectly(
  listener: { orderly: MessageListenerOrderly } | { concurrently: MessageListenerConcurrently },
  msg: MessageExt,
  brokerName: string,
): Promise<ConsumeMessageDirectlyResult> {
  const mq = { topic: msg.topic, brokerName, queueId: msg.queueId };
  const begin = Date.now();
  const orderly = 'orderly' in listener;
  const result: ConsumeMessageDirectlyResult = {
    order: orderly,
    autoCommit: true,
    consumeResult: 'CR_RETURN_NULL',
    spentTimeMills: 0,
  };
  try {
    if ('orderly' in listener) {
      const status = await listener.orderly([msg], { messageQueue: mq, suspendCurrentQueueTimeMillis: -1 });
      if (status === 'SUCCESS') result.consumeResult = 'CR_SUCCESS';
      else if (status === 'SUSPEND_CURRENT_QUEUE_A_MOMENT') result.consumeResult = 'CR_LATER';
    } else {
      const ctx = { messageQueue: mq, delayLevelWhenNextConsume: 0, ackIndex: 0x7fffffff };
      const status = await listener.concurrently([msg], ctx);
      if (status === 'CONSUME_SUCCESS') result.consumeResult = 'CR_SUCCESS';
      else if (status === 'RECONSUME_LATER') result.consumeResult = 'CR_LATER';
    }
  } catch (err) {
    result.consumeResult = 'CR_THROW_EXCEPTION';
    result.remark = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  result.spentTimeMills = Date.now() - begin;
  return result;
}
