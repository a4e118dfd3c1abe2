/**
 * What a consumer answers to the admin requests a broker forwards to it (mqadmin consumerStatus,
 * consumeMessage): ConsumerRunningInfo for GET_CONSUMER_RUNNING_INFO (307) and
 * ConsumeMessageDirectlyResult for CONSUME_MESSAGE_DIRECTLY (309), in fastjson's shapes.
 */
import { toJson } from '../../common/lenient-json.js';
import type { SubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';
import type { MessageQueue } from '../message-queue.js';
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
