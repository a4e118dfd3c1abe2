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
import type { SendMessageRequestHeader } from './send-message-request-header.js';

/** Producer group (a), topic (b), default topic (c) and broker name (n): they repeat send after send. */
const slots = [new StringSlot(), new StringSlot(), new StringSlot(), new StringSlot()];
/** b (topic), c (defaultTopic), d, e, f, g, h: decodeSendMessageRequestHeaderV2's required fields. */
const REQUIRED = 0b1111_1110;
const LETTER_A = 0x61;

function readSendExtFields(r: FastJsonHeaderReader): SendMessageRequestHeader | undefined {
  const h: SendMessageRequestHeader = {
    producerGroup: undefined,
    topic: '',
    defaultTopic: '',
    defaultTopicQueueNums: 0,
    queueId: 0,
    sysFlag: 0,
    bornTimestamp: 0,
    flag: 0,
    properties: undefined,
    reconsumeTimes: undefined,
    unitMode: false,
    maxReconsumeTimes: undefined,
    batch: false,
  };
  // the fields seen, one bit per letter
  let seen = 0;
  for (;;) {
    const letter = r.letterKey() - LETTER_A;
    switch (letter) {
      case 0:
      case 1:
      case 2:
      case 13: {
        const s = r.readString(slots[letter === 13 ? 3 : letter]);
        if (s === undefined) return undefined;
        if (letter === 0) h.producerGroup = s;
        else if (letter === 1) h.topic = s;
        else if (letter === 2) h.defaultTopic = s;
        else h.bname = s;
        break;
      }
      case 8: {
        const s = r.readString(undefined);
        if (s === undefined) return undefined;
        h.properties = s;
        break;
      }
      case 10:
      case 12: {
        const t = r.readBoolean();
        if (t === undefined) return undefined;
        if (letter === 10) h.unitMode = t;
        else h.batch = t;
        break;
      }
      case 3:
      case 4:
      case 5:
      case 6:
      case 7:
      case 9:
      case 11: {
        const n = r.readQuotedInt();
        if (n === undefined) return undefined;
        if (letter === 3) h.defaultTopicQueueNums = n;
        else if (letter === 4) h.queueId = n;
        else if (letter === 5) h.sysFlag = n;
        else if (letter === 6) h.bornTimestamp = n;
        else if (letter === 7) h.flag = n;
        else if (letter === 9) h.reconsumeTimes = n;
        else h.maxReconsumeTimes = n;
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
  return (seen & REQUIRED) === REQUIRED ? h : undefined;
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
