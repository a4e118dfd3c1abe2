import { requireLong } from '../../custom-header.js';

/** Reply to GET_EARLIEST_MSG_STORETIME (RocketMQ's GetEarliestMsgStoretimeResponseHeader). */
export interface GetEarliestMsgStoretimeResponseHeader {
  timestamp: number;
}

export function encodeGetEarliestMsgStoretimeResponseHeader(
  h: GetEarliestMsgStoretimeResponseHeader,
): Record<string, string> {
  const out: Record<string, string> = {};
  out.timestamp = String(h.timestamp);
  return out;
}

export function decodeGetEarliestMsgStoretimeResponseHeader(
  ext: Record<string, string>,
): GetEarliestMsgStoretimeResponseHeader {
  const h: GetEarliestMsgStoretimeResponseHeader = {
    timestamp: requireLong(ext, 'timestamp'),
  };
  return h;
}
