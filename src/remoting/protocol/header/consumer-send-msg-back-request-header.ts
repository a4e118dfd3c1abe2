import { optionalInt, optionalString, requireInt, requireLong, requireString } from '../../custom-header.js';

/**
 * CONSUMER_SEND_MSG_BACK (36) request (RocketMQ's ConsumerSendMsgBackRequestHeader): a consumer hands a
 * message it failed to consume back to the broker, which re-stores it in %RETRY%group (or the DLQ).
 * `offset` is the message's commit log offset; `delayLevel` 0 lets the broker pick 3 + reconsumeTimes.
 */
export interface ConsumerSendMsgBackRequestHeader {
  offset: number;
  group: string;
  delayLevel: number;
  originMsgId?: string;
  originTopic?: string;
  unitMode: boolean;
  maxReconsumeTimes?: number;
}

export function encodeConsumerSendMsgBackRequestHeader(
  h: ConsumerSendMsgBackRequestHeader,
): Record<string, string> {
  const out: Record<string, string> = {
    offset: String(h.offset),
    group: h.group,
    delayLevel: String(h.delayLevel),
    unitMode: String(h.unitMode),
  };
  if (h.originMsgId !== undefined) out.originMsgId = h.originMsgId;
  if (h.originTopic !== undefined) out.originTopic = h.originTopic;
  if (h.maxReconsumeTimes !== undefined) out.maxReconsumeTimes = String(h.maxReconsumeTimes);
  return out;
}

export function decodeConsumerSendMsgBackRequestHeader(
  ext: Record<string, string>,
): ConsumerSendMsgBackRequestHeader {
  const h: ConsumerSendMsgBackRequestHeader = {
    offset: requireLong(ext, 'offset'),
    group: requireString(ext, 'group'),
    delayLevel: requireInt(ext, 'delayLevel'),
    // Boolean.parseBoolean semantics: absent or anything but "true" is false
    unitMode: (ext.unitMode ?? '').toLowerCase() === 'true',
  };
  const originMsgId = optionalString(ext, 'originMsgId');
  if (originMsgId !== undefined) h.originMsgId = originMsgId;
  const originTopic = optionalString(ext, 'originTopic');
  if (originTopic !== undefined) h.originTopic = originTopic;
  const max = optionalInt(ext, 'maxReconsumeTimes');
  if (max !== undefined) h.maxReconsumeTimes = max;
  return h;
}
