import { requireLong } from '../../custom-header.js';

/** Reply to QUERY_CONSUMER_OFFSET; QUERY_NOT_FOUND carries no offset (RocketMQ's QueryConsumerOffsetResponseHeader). */
export interface QueryConsumerOffsetResponseHeader {
  offset: number;
}

export function encodeQueryConsumerOffsetResponseHeader(
  h: QueryConsumerOffsetResponseHeader,
): Record<string, string> {
  const out: Record<string, string> = {};
  out.offset = String(h.offset);
  return out;
}

export function decodeQueryConsumerOffsetResponseHeader(
  ext: Record<string, string>,
): QueryConsumerOffsetResponseHeader {
  const h: QueryConsumerOffsetResponseHeader = {
    offset: requireLong(ext, 'offset'),
  };
  return h;
}
