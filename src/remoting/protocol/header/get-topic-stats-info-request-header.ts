import { requireString } from '../../custom-header.js';

/** GET_TOPIC_STATS_INFO (202) request (RocketMQ's GetTopicStatsInfoRequestHeader). */
export interface GetTopicStatsInfoRequestHeader {
  topic: string;
}

export function encodeGetTopicStatsInfoRequestHeader(
  h: GetTopicStatsInfoRequestHeader,
): Record<string, string> {
  const out: Record<string, string> = {};
  out.topic = h.topic;
  return out;
}

export function decodeGetTopicStatsInfoRequestHeader(
  ext: Record<string, string>,
): GetTopicStatsInfoRequestHeader {
  const h: GetTopicStatsInfoRequestHeader = {
    topic: requireString(ext, 'topic'),
  };
  return h;
}
