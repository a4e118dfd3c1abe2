import { requireLong } from '../../custom-header.js';

/** Reply to QUERY_MESSAGE (RocketMQ's QueryMessageResponseHeader). */
export interface QueryMessageResponseHeader {
  indexLastUpdateTimestamp: number;
  indexLastUpdatePhyoffset: number;
}

export function encodeQueryMessageResponseHeader(h: QueryMessageResponseHeader): Record<string, string> {
  const out: Record<string, string> = {};
  out.indexLastUpdateTimestamp = String(h.indexLastUpdateTimestamp);
  out.indexLastUpdatePhyoffset = String(h.indexLastUpdatePhyoffset);
  return out;
}

export function decodeQueryMessageResponseHeader(ext: Record<string, string>): QueryMessageResponseHeader {
  const h: QueryMessageResponseHeader = {
    indexLastUpdateTimestamp: requireLong(ext, 'indexLastUpdateTimestamp'),
    indexLastUpdatePhyoffset: requireLong(ext, 'indexLastUpdatePhyoffset'),
  };
  return h;
}
