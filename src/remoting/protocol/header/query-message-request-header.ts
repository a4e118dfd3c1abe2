import { optionalBool, requireInt, requireLong, requireString } from '../../custom-header.js';

/** QUERY_MESSAGE (12) request; extFields _UNIQUE_KEY_QUERY=true asks for a UNIQ_KEY lookup (RocketMQ's QueryMessageRequestHeader). */
export interface QueryMessageRequestHeader {
  topic: string;
  key: string;
  maxNum: number;
  beginTimestamp: number;
  endTimestamp: number;
  _UNIQUE_KEY_QUERY?: boolean;
}

export function encodeQueryMessageRequestHeader(h: QueryMessageRequestHeader): Record<string, string> {
  const out: Record<string, string> = {};
  out.topic = h.topic;
  out.key = h.key;
  out.maxNum = String(h.maxNum);
  out.beginTimestamp = String(h.beginTimestamp);
  out.endTimestamp = String(h.endTimestamp);
  if (h._UNIQUE_KEY_QUERY !== undefined) out._UNIQUE_KEY_QUERY = String(h._UNIQUE_KEY_QUERY);
  return out;
}

export function decodeQueryMessageRequestHeader(ext: Record<string, string>): QueryMessageRequestHeader {
  const h: QueryMessageRequestHeader = {
    topic: requireString(ext, 'topic'),
    key: requireString(ext, 'key'),
    maxNum: requireInt(ext, 'maxNum'),
    beginTimestamp: requireLong(ext, 'beginTimestamp'),
    endTimestamp: requireLong(ext, 'endTimestamp'),
  };
  const uniqueKeyQuery = optionalBool(ext, '_UNIQUE_KEY_QUERY');
  if (uniqueKeyQuery !== undefined) h._UNIQUE_KEY_QUERY = uniqueKeyQuery;
  return h;
}
