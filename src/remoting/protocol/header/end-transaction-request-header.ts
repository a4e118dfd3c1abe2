import { optionalBool, requireInt, requireLong, requireString } from '../../custom-header.js';
import {
  type FastJsonCommand,
  type FastJsonHeaderReader,
  fastJsonHeaderReader,
  jsonKeys,
  StringSlot,
} from '../../fast-json-header.js';
import { RemotingCommand } from '../../remoting-command.js';

/** END_TRANSACTION (37) request (EndTransactionRequestHeader): oneway from the producer. */
export interface EndTransactionRequestHeader {
  producerGroup: string;
  /** The half message's queue offset (SendResult.queueOffset). */
  tranStateTableOffset: number;
  /** The half message's commit log offset (from its offset msgId). */
  commitLogOffset: number;
  /** MessageSysFlag: 0 not (unknown), 8 commit, 12 rollback. */
  commitOrRollback: number;
  fromTransactionCheck: boolean;
  /** The producer's message id (UNIQ_KEY). */
  msgId: string;
  transactionId?: string;
}

export function encodeEndTransactionRequestHeader(h: EndTransactionRequestHeader): Record<string, string> {
  const out: Record<string, string> = {
    producerGroup: h.producerGroup,
    tranStateTableOffset: String(h.tranStateTableOffset),
    commitLogOffset: String(h.commitLogOffset),
    commitOrRollback: String(h.commitOrRollback),
    fromTransactionCheck: String(h.fromTransactionCheck),
    msgId: h.msgId,
  };
  if (h.transactionId !== undefined) out.transactionId = h.transactionId;
  return out;
}

/** All fields but fromTransactionCheck (false when absent) and transactionId required. */
export function decodeEndTransactionRequestHeader(ext: Record<string, string>): EndTransactionRequestHeader {
  return {
    producerGroup: requireString(ext, 'producerGroup'),
    tranStateTableOffset: requireLong(ext, 'tranStateTableOffset'),
    commitLogOffset: requireLong(ext, 'commitLogOffset'),
    commitOrRollback: requireInt(ext, 'commitOrRollback'),
    fromTransactionCheck: optionalBool(ext, 'fromTransactionCheck', false),
    msgId: requireString(ext, 'msgId'),
    transactionId: ext.transactionId,
  };
}

/** An END_TRANSACTION whose header was read into its typed fields before dispatch (fast-json-header.ts). */
export class PreDecodedEndTransactionCommand extends RemotingCommand {
  endTransactionHeader!: EndTransactionRequestHeader;
}

const KEYS = jsonKeys(
  'producerGroup',
  'tranStateTableOffset',
  'commitLogOffset',
  'commitOrRollback',
  'fromTransactionCheck',
  'msgId',
  'transactionId',
);
/** producerGroup, tranStateTableOffset, commitLogOffset, commitOrRollback, msgId */
const REQUIRED = 0b10_1111;
/** Integer.parseInt's range holds any 9-digit number; longer ones go the general way. */
const MAX_INT_DIGITS_VALUE = 999_999_999;
const producerGroupSlot = new StringSlot();

function readEndTransactionExtFields(r: FastJsonHeaderReader): EndTransactionRequestHeader | undefined {
  const h: EndTransactionRequestHeader = {
    producerGroup: '',
    tranStateTableOffset: 0,
    commitLogOffset: 0,
    commitOrRollback: 0,
    fromTransactionCheck: false,
    msgId: '',
    transactionId: undefined,
  };
  let seen = 0;
  for (;;) {
    const key = r.keyIndex(KEYS);
    switch (key) {
      case 0:
      case 5:
      case 6: {
        const s = r.readString(key === 0 ? producerGroupSlot : undefined);
        if (s === undefined) return undefined;
        if (key === 0) h.producerGroup = s;
        else if (key === 5) h.msgId = s;
        else h.transactionId = s;
        break;
      }
      case 1:
      case 2:
      case 3: {
        const n = r.readQuotedInt();
        if (n === undefined) return undefined;
        if (key === 1) h.tranStateTableOffset = n;
        else if (key === 2) h.commitLogOffset = n;
        else if (n >= -MAX_INT_DIGITS_VALUE && n <= MAX_INT_DIGITS_VALUE) h.commitOrRollback = n;
        else return undefined;
        break;
      }
      case 4: {
        const t = r.readBoolean();
        if (t === undefined) return undefined;
        h.fromTransactionCheck = t;
        break;
      }
      default:
        return undefined;
    }
    seen |= 1 << key;
    const more = r.more();
    if (more === undefined) return undefined;
    if (!more) break;
  }
  return (seen & REQUIRED) === REQUIRED ? h : undefined;
}

/**
 * The command fields and typed header of an END_TRANSACTION JSON header in buf[start, end), or
 * undefined when it is not in the plain shape (the caller then decodes it the general way).
 */
export function readEndTransactionHeaderJson(
  buf: Buffer,
  start: number,
  end: number,
  code: number,
): FastJsonCommand<EndTransactionRequestHeader> | undefined {
  return fastJsonHeaderReader.read(buf, start, end, code, readEndTransactionExtFields);
}
