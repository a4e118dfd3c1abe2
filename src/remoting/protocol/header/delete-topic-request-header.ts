import { requireString } from '../../custom-header.js';

/** DELETE_TOPIC_IN_BROKER (215) request (RocketMQ's DeleteTopicRequestHeader). */
export interface DeleteTopicRequestHeader {
  topic: string;
}

export function encodeDeleteTopicRequestHeader(h: DeleteTopicRequestHeader): Record<string, string> {
  const out: Record<string, string> = {};
  out.topic = h.topic;
  return out;
}

export function decodeDeleteTopicRequestHeader(ext: Record<string, string>): DeleteTopicRequestHeader {
  const h: DeleteTopicRequestHeader = {
    topic: requireString(ext, 'topic'),
  };
  return h;
}
