import { requireLong } from '../../custom-header.js';

/** Reply to GET_MIN_OFFSET (RocketMQ's GetMinOffsetResponseHeader). */
export interface GetMinOffsetResponseHeader {
  offset: number;
}

export function encodeGetMinOffsetResponseHeader(h: GetMinOffsetResponseHeader): Record<string, string> {
  const out: Record<string, string> = {};
  out.offset = String(h.offset);
  return out;
}

export function decodeGetMinOffsetResponseHeader(ext: Record<string, string>): GetMinOffsetResponseHeader {
  const h: GetMinOffsetResponseHeader = {
    offset: requireLong(ext, 'offset'),
  };
  return h;
}
