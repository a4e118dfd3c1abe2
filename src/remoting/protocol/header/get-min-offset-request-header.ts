import { requireInt, requireString } from '../../custom-header.js';

/** GET_MIN_OFFSET (31) request (RocketMQ's GetMinOffsetRequestHeader). */
export interface GetMinOffsetRequestHeader {
  topic: string;
  queueId: number;
}

export function encodeGetMinOffsetRequestHeader(h: GetMinOffsetRequestHeader): Record<string, string> {
  const out: Record<string, string> = {};
  out.topic = h.topic;
  out.queueId = String(h.queueId);
  return out;
}

export function decodeGetMinOffsetRequestHeader(ext: Record<string, string>): GetMinOffsetRequestHeader {
  const h: GetMinOffsetRequestHeader = {
    topic: requireString(ext, 'topic'),
    queueId: requireInt(ext, 'queueId'),
  };
  return h;
}
