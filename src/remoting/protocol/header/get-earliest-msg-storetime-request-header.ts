import { requireInt, requireString } from '../../custom-header.js';

/** GET_EARLIEST_MSG_STORETIME (32) request (RocketMQ's GetEarliestMsgStoretimeRequestHeader). */
export interface GetEarliestMsgStoretimeRequestHeader {
  topic: string;
  queueId: number;
}

export function encodeGetEarliestMsgStoretimeRequestHeader(
  h: GetEarliestMsgStoretimeRequestHeader,
): Record<string, string> {
  const out: Record<string, string> = {};
  out.topic = h.topic;
  out.queueId = String(h.queueId);
  return out;
}

export function decodeGetEarliestMsgStoretimeRequestHeader(
  ext: Record<string, string>,
): GetEarliestMsgStoretimeRequestHeader {
  const h: GetEarliestMsgStoretimeRequestHeader = {
    topic: requireString(ext, 'topic'),
    queueId: requireInt(ext, 'queueId'),
  };
  return h;
}
