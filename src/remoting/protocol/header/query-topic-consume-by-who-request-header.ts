import { requireString } from '../../custom-header.js';

/** QUERY_TOPIC_CONSUME_BY_WHO (300) request (RocketMQ's QueryTopicConsumeByWhoRequestHeader). */
export interface QueryTopicConsumeByWhoRequestHeader {
  topic: string;
}

export function encodeQueryTopicConsumeByWhoRequestHeader(
  h: QueryTopicConsumeByWhoRequestHeader,
): Record<string, string> {
  return { topic: h.topic };
}

export function decodeQueryTopicConsumeByWhoRequestHeader(
  ext: Record<string, string>,
): QueryTopicConsumeByWhoRequestHeader {
  return { topic: requireString(ext, 'topic') };
}
