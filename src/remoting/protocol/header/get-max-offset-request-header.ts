import { requireInt, requireString } from '../../custom-header.js';

/** GET_MAX_OFFSET (30) request (RocketMQ's GetMaxOffsetRequestHeader). */
export interface GetMaxOffsetRequestHeader {
  topic: string;
  queueId: number;
}

export function encodeGetMaxOffsetRequestHeader(h: GetMaxOffsetRequestHeader): Record<string, string> {
  const out: Record<string, string> = {};
  out.topic = h.topic;
  out.queueId = String(h.queueId);
  return out;
}

export function decodeGetMaxOffsetRequestHeader(ext: Record<string, string>): GetMaxOffsetRequestHeader {
  const h: GetMaxOffsetRequestHeader = {
    topic: requireString(ext, 'topic'),
    queueId: requireInt(ext, 'queueId'),
  };
  return h;
}
