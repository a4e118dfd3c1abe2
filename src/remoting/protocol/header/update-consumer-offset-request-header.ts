import { requireInt, requireLong, requireString } from '../../custom-header.js';

/** UPDATE_CONSUMER_OFFSET (15) request, often sent oneway (RocketMQ's UpdateConsumerOffsetRequestHeader). */
export interface UpdateConsumerOffsetRequestHeader {
  consumerGroup: string;
  topic: string;
  queueId: number;
  commitOffset: number;
}

export function encodeUpdateConsumerOffsetRequestHeader(
  h: UpdateConsumerOffsetRequestHeader,
): Record<string, string> {
  const out: Record<string, string> = {};
  out.consumerGroup = h.consumerGroup;
  out.topic = h.topic;
  out.queueId = String(h.queueId);
  out.commitOffset = String(h.commitOffset);
  return out;
}

export function decodeUpdateConsumerOffsetRequestHeader(
  ext: Record<string, string>,
): UpdateConsumerOffsetRequestHeader {
  const h: UpdateConsumerOffsetRequestHeader = {
    consumerGroup: requireString(ext, 'consumerGroup'),
    topic: requireString(ext, 'topic'),
    queueId: requireInt(ext, 'queueId'),
    commitOffset: requireLong(ext, 'commitOffset'),
  };
  return h;
}
