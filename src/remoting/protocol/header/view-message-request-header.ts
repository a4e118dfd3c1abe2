import { requireLong } from '../../custom-header.js';

/** VIEW_MESSAGE_BY_ID (33) request: the commit log offset decoded from an offset msgId (RocketMQ's ViewMessageRequestHeader). */
export interface ViewMessageRequestHeader {
  offset: number;
}

export function encodeViewMessageRequestHeader(h: ViewMessageRequestHeader): Record<string, string> {
  const out: Record<string, string> = {};
  out.offset = String(h.offset);
  return out;
}

export function decodeViewMessageRequestHeader(ext: Record<string, string>): ViewMessageRequestHeader {
  const h: ViewMessageRequestHeader = {
    offset: requireLong(ext, 'offset'),
  };
  return h;
}
