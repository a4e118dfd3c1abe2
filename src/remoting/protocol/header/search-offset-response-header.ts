import { requireLong } from '../../custom-header.js';

/** Reply to SEARCH_OFFSET_BY_TIMESTAMP (RocketMQ's SearchOffsetResponseHeader). */
export interface SearchOffsetResponseHeader {
  offset: number;
}

export function encodeSearchOffsetResponseHeader(h: SearchOffsetResponseHeader): Record<string, string> {
  const out: Record<string, string> = {};
  out.offset = String(h.offset);
  return out;
}

export function decodeSearchOffsetResponseHeader(ext: Record<string, string>): SearchOffsetResponseHeader {
  const h: SearchOffsetResponseHeader = {
    offset: requireLong(ext, 'offset'),
  };
  return h;
}
