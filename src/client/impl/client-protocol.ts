/**
 * Wire shapes only the client side speaks (common/protocol/header/*.java, protocol.md s.3): the
 * transaction headers, the reply push, the admin requests a broker forwards to a consumer, and
 * CHECK_CLIENT_CONFIG's body. Field names are RocketMQ's; every value is a string on the wire.
 */
import { toJson } from '../../common/lenient-json.js';
import {
  optionalBool,
  optionalInt,
  optionalLong,
  optionalString,
  requireInt,
  requireLong,
  requireString,
} from '../../remoting/custom-header.js';
import type { SubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';

type ExtFields = Record<string, string>;

export {
  type EndTransactionRequestHeader,
  encodeEndTransactionRequestHeader,
} from '../../remoting/protocol/header/end-transaction-request-header.js';

/** CHECK_TRANSACTION_STATE (39), broker to producer (CheckTransactionStateRequestHeader). */
export interface CheckTransactionStateRequestHeader {
  tranStateTableOffset: number;
  commitLogOffset: number;
  msgId?: string;
  transactionId?: string;
  offsetMsgId?: string;
}

export function decodeCheckTransactionStateRequestHeader(ext: ExtFields): CheckTransactionStateRequestHeader {
  const h: CheckTransactionStateRequestHeader = {
    tranStateTableOffset: requireLong(ext, 'tranStateTableOffset'),
    commitLogOffset: requireLong(ext, 'commitLogOffset'),
  };
  const msgId = optionalString(ext, 'msgId');
  if (msgId !== undefined) h.msgId = msgId;
  const transactionId = optionalString(ext, 'transactionId');
  if (transactionId !== undefined) h.transactionId = transactionId;
  const offsetMsgId = optionalString(ext, 'offsetMsgId');
  if (offsetMsgId !== undefined) h.offsetMsgId = offsetMsgId;
  return h;
}

/** PUSH_REPLY_MESSAGE_TO_CLIENT (326), broker to requester (ReplyMessageRequestHeader); the body is the reply's. */
export interface ReplyMessageRequestHeader {
  producerGroup: string;
  topic: string;
  queueId: number;
  sysFlag: number;
  bornTimestamp: number;
  flag: number;
  properties: string;
  reconsumeTimes: number;
  bornHost: string;
  storeHost: string;
  storeTimestamp: number;
}

export function decodeReplyMessageRequestHeader(ext: ExtFields): ReplyMessageRequestHeader {
  return {
    producerGroup: requireString(ext, 'producerGroup'),
    topic: requireString(ext, 'topic'),
    queueId: requireInt(ext, 'queueId'),
    sysFlag: requireInt(ext, 'sysFlag'),
    bornTimestamp: requireLong(ext, 'bornTimestamp'),
    flag: requireInt(ext, 'flag'),
    properties: optionalString(ext, 'properties') ?? '',
    reconsumeTimes: optionalInt(ext, 'reconsumeTimes', 0),
    bornHost: optionalString(ext, 'bornHost') ?? '',
    storeHost: optionalString(ext, 'storeHost') ?? '',
    storeTimestamp: optionalLong(ext, 'storeTimestamp', 0),
  };
}

/** GET_CONSUMER_RUNNING_INFO (307), forwarded by the broker (GetConsumerRunningInfoRequestHeader). */
export interface GetConsumerRunningInfoRequestHeader {
  consumerGroup: string;
  clientId: string;
  jstackEnable: boolean;
}

export function decodeGetConsumerRunningInfoRequestHeader(
  ext: ExtFields,
): GetConsumerRunningInfoRequestHeader {
  return {
    consumerGroup: requireString(ext, 'consumerGroup'),
    clientId: optionalString(ext, 'clientId') ?? '',
    jstackEnable: optionalBool(ext, 'jstackEnable', false),
  };
}

/** CONSUME_MESSAGE_DIRECTLY (309), forwarded by the broker (ConsumeMessageDirectlyResultRequestHeader). */
export interface ConsumeMessageDirectlyRequestHeader {
  consumerGroup: string;
  clientId?: string;
  msgId?: string;
  brokerName?: string;
}

export function decodeConsumeMessageDirectlyRequestHeader(
  ext: ExtFields,
): ConsumeMessageDirectlyRequestHeader {
  const h: ConsumeMessageDirectlyRequestHeader = { consumerGroup: requireString(ext, 'consumerGroup') };
  const clientId = optionalString(ext, 'clientId');
  if (clientId !== undefined) h.clientId = clientId;
  const msgId = optionalString(ext, 'msgId');
  if (msgId !== undefined) h.msgId = msgId;
  const brokerName = optionalString(ext, 'brokerName');
  if (brokerName !== undefined) h.brokerName = brokerName;
  return h;
}

/** CHECK_CLIENT_CONFIG (46) body (CheckClientRequestBody). */
export function encodeCheckClientRequestBody(clientId: string, group: string, sd: SubscriptionData): Buffer {
  return Buffer.from(toJson({ clientId, group, subscriptionData: sd }));
}
