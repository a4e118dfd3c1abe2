import { optionalString, requireString } from '../../custom-header.js';

/** GET_CONSUME_STATS (208) request; without topic, every topic the group has offsets for (RocketMQ's GetConsumeStatsRequestHeader). */
export interface GetConsumeStatsRequestHeader {
  consumerGroup: string;
  topic?: string;
}

export function encodeGetConsumeStatsRequestHeader(h: GetConsumeStatsRequestHeader): Record<string, string> {
  const out: Record<string, string> = {};
  out.consumerGroup = h.consumerGroup;
  if (h.topic !== undefined) out.topic = String(h.topic);
  return out;
}

export function decodeGetConsumeStatsRequestHeader(
  ext: Record<string, string>,
): GetConsumeStatsRequestHeader {
  const h: GetConsumeStatsRequestHeader = {
    consumerGroup: requireString(ext, 'consumerGroup'),
  };
  const topicV = optionalString(ext, 'topic');
  if (topicV !== undefined) h.topic = topicV;
  return h;
}
