import { requireInt, requireString } from '../../custom-header.js';

/** QUERY_CONSUMER_OFFSET (14) request (RocketMQ's QueryConsumerOffsetRequestHeader). */
export interface QueryConsumerOffsetRequestHeader {
  consumerGroup: string;
  topic: string;
  queueId: number;
}

export function encodeQueryConsumerOffsetRequestHeader(
  h: QueryConsumerOffsetRequestHeader,
): Record<string, string> {
  const out: Record<string, string> = {};
  out.consumerGroup = h.consumerGroup;
  out.topic = h.topic;
  out.queueId = String(h.queueId);
  return out;
}

export function decodeQueryConsumerOffsetRequestHeader(
  ext: Record<string, string>,
): QueryConsumerOffsetRequestHeader {
  const h: QueryConsumerOffsetRequestHeader = {
    consumerGroup: requireString(ext, 'consumerGroup'),
    topic: requireString(ext, 'topic'),
    queueId: requireInt(ext, 'queueId'),
  };
  return h;
}
