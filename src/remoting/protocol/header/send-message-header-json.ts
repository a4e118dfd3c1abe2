/**
 * SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE request headers read straight from their JSON bytes into the
 * typed SendMessageRequestHeader (fast-json-header.ts says why and what shape it takes): extFields
 * under SendMessageRequestHeaderV2's one-letter names a..n, every value a string.
 */
import {
  type FastJsonCommand,
  type FastJsonHeaderReader,
  fastJsonHeaderReader,
  StringSlot,
} from '../../fast-json-header.js';
import { readSendHeaderCanonical } from './send-message-header-canonical.js';
import {
  blankSendMessageRequestHeader,
  SEND_V2_KIND,
  SEND_V2_REQUIRED,
  type SendMessageRequestHeader,
  setSendV2Boolean,
  setSendV2Int,
  setSendV2String,
  V2_BOOLEAN,
  V2_INT,
  V2_PROPERTIES,
  V2_REPEATING,
} from './send-message-request-header.js';

/** Producer group (a), topic (b), default topic (c) and broker name (n): they repeat send after send. */
const slots = [new StringSlot(), new StringSlot(), new StringSlot(), new StringSlot()];
const LETTER_A = 0x61;

function readSendExtFields(r: FastJsonHeaderReader): SendMessageRequestHeader | undefined {
  const h = blankSendMessageRequestHeader();
  // the fields seen, one bit per letter
  let seen = 0;
  for (;;) {
    const letter = r.letterKey() - LETTER_A;
    switch (SEND_V2_KIND[letter]) {
      case V2_REPEATING: {
        const s = r.readString(slots[letter === 13 ? 3 : letter]);
        if (s === undefined) return undefined;
        setSendV2String(h, letter, s);
        break;
      }
      case V2_PROPERTIES: {
        const s = r.readString(undefined);
        if (s === undefined) return undefined;
        setSendV2String(h, letter, s);
        break;
      }
      case V2_BOOLEAN: {
        const t = r.readBoolean();
        if (t === undefined) return undefined;
        setSendV2Boolean(h, letter, t);
        break;
      }
      case V2_INT: {
        const n = r.readQuotedInt();
        if (n === undefined) return undefined;
        setSendV2Int(h, letter, n);
        break;
      }
      default:
        return undefined;
    }
    seen |= 1 << letter;
    const more = r.more();
    if (more === undefined) return undefined;
    if (!more) break;
  }
  return (seen & SEND_V2_REQUIRED) === SEND_V2_REQUIRED ? h : undefined;
}

/**
 * The command fields and typed send header of a `code` (310 or 320) JSON header in buf[start, end),
 * or undefined when it is not in the plain shape (the caller then decodes it the general way). The
 * layout fastjson writes is read straight through first (send-message-header-canonical.ts).
 */
export function readSendHeaderJson(
  buf: Buffer,
  start: number,
  end: number,
  code: number,
): FastJsonCommand<SendMessageRequestHeader> | undefined {
  return readSendHeaderCanonical(buf, start, end, code) ?? readSendHeaderKeyed(buf, start, end, code);
}

/** The same by matching keys: fields in any order, whitespace anywhere. */
export function readSendHeaderKeyed(
  buf: Buffer,
  start: number,
  end: number,
  code: number,
): FastJsonCommand<SendMessageRequestHeader> | undefined {
  return fastJsonHeaderReader.read(buf, start, end, code, readSendExtFields);
}
