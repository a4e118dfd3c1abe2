import { requireLong } from '../../custom-header.js';

/** Reply to GET_MAX_OFFSET (RocketMQ's GetMaxOffsetResponseHeader). */
export interface GetMaxOffsetResponseHeader {
  offset: number;
}

export function encodeGetMaxOffsetResponseHeader(h: GetMaxOffsetResponseHeader): Record<string, string> {
  const out: Record<string, string> = {};
  out.offset = String(h.offset);
  return out;
}

export function decodeGetMaxOffsetResponseHeader(ext: Record<string, string>): GetMaxOffsetResponseHeader {
  const h: GetMaxOffsetResponseHeader = {
    offset: requireLong(ext, 'offset'),
  };
  return h;
}
