import { requireInt, requireLong, requireString } from '../../custom-header.js';

/** SEARCH_OFFSET_BY_TIMESTAMP (29) request (RocketMQ's SearchOffsetRequestHeader). */
export interface SearchOffsetRequestHeader {
  topic: string;
  queueId: number;
  timestamp: number;
}

export function encodeSearchOffsetRequestHeader(h: SearchOffsetRequestHeader): Record<string, string> {
  const out: Record<string, string> = {};
  out.topic = h.topic;
  out.queueId = String(h.queueId);
  out.timestamp = String(h.timestamp);
  return out;
}

export function decodeSearchOffsetRequestHeader(ext: Record<string, string>): SearchOffsetRequestHeader {
  const h: SearchOffsetRequestHeader = {
    topic: requireString(ext, 'topic'),
    queueId: requireInt(ext, 'queueId'),
    timestamp: requireLong(ext, 'timestamp'),
  };
  return h;
}
