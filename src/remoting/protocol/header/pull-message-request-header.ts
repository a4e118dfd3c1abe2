import { optionalString, requireInt, requireLong, requireString } from '../../custom-header.js';
import {
  type FastJsonCommand,
  type FastJsonHeaderReader,
  fastJsonHeaderReader,
  jsonKeys,
  StringSlot,
} from '../../fast-json-header.js';
import { RemotingCommand } from '../../remoting-command.js';

/** PULL_MESSAGE (11) custom header (PullMessageRequestHeader). sysFlag holds PullSysFlag bits. */
export interface PullMessageRequestHeader {
  consumerGroup: string;
  topic: string;
  queueId: number;
  queueOffset: number;
  maxMsgNums: number;
  sysFlag: number;
  commitOffset: number;
  suspendTimeoutMillis: number;
  subscription?: string;
  subVersion: number;
  /** TAG (default) or SQL92. */
  expressionType?: string;
}

export function encodePullMessageRequestHeader(h: PullMessageRequestHeader): Record<string, string> {
  const out: Record<string, string> = {
    consumerGroup: h.consumerGroup,
    topic: h.topic,
    queueId: String(h.queueId),
    queueOffset: String(h.queueOffset),
    maxMsgNums: String(h.maxMsgNums),
    sysFlag: String(h.sysFlag),
    commitOffset: String(h.commitOffset),
    suspendTimeoutMillis: String(h.suspendTimeoutMillis),
    subVersion: String(h.subVersion),
  };
  if (h.subscription !== undefined) out.subscription = h.subscription;
  if (h.expressionType !== undefined) out.expressionType = h.expressionType;
  return out;
}

export function decodePullMessageRequestHeader(ext: Record<string, string>): PullMessageRequestHeader {
  const h: PullMessageRequestHeader = {
    consumerGroup: requireString(ext, 'consumerGroup'),
    topic: requireString(ext, 'topic'),
    queueId: requireInt(ext, 'queueId'),
    queueOffset: requireLong(ext, 'queueOffset'),
    maxMsgNums: requireInt(ext, 'maxMsgNums'),
    sysFlag: requireInt(ext, 'sysFlag'),
    commitOffset: requireLong(ext, 'commitOffset'),
    suspendTimeoutMillis: requireLong(ext, 'suspendTimeoutMillis'),
    subVersion: requireLong(ext, 'subVersion'),
  };
  const sub = optionalString(ext, 'subscription');
  if (sub !== undefined) h.subscription = sub;
  const et = optionalString(ext, 'expressionType');
  if (et !== undefined) h.expressionType = et;
  return h;
}

/** A PULL_MESSAGE whose header was read into its typed fields before dispatch (fast-json-header.ts). */
export class PreDecodedPullCommand extends RemotingCommand {
  pullHeader!: PullMessageRequestHeader;
}

const KEYS = jsonKeys(
  'consumerGroup',
  'topic',
  'queueId',
  'queueOffset',
  'maxMsgNums',
  'sysFlag',
  'commitOffset',
  'suspendTimeoutMillis',
  'subscription',
  'subVersion',
  'expressionType',
);
/** Every field but subscription (8) and expressionType (10): the fast path takes only complete headers. */
const REQUIRED = 0b010_1111_1111;
/** queueId (2), maxMsgNums (4), sysFlag (5): Integer.parseInt's range. */
const INT_FIELDS = 0b000_0011_0100;
const groupSlot = new StringSlot();
const topicSlot = new StringSlot();
const subscriptionSlot = new StringSlot();
const expressionTypeSlot = new StringSlot();

function readPullExtFields(r: FastJsonHeaderReader): PullMessageRequestHeader | undefined {
  const h: PullMessageRequestHeader = {
    consumerGroup: '',
    topic: '',
    queueId: 0,
    queueOffset: 0,
    maxMsgNums: 0,
    sysFlag: 0,
    commitOffset: 0,
    suspendTimeoutMillis: 0,
    subVersion: 0,
  };
  let seen = 0;
  for (;;) {
    const key = r.keyIndex(KEYS);
    if (key < 0) return undefined;
    if (key === 0 || key === 1 || key === 8 || key === 10) {
      // group, topic, subscription and its type repeat pull after pull: strings made once
      const slot =
        key === 0 ? groupSlot : key === 1 ? topicSlot : key === 8 ? subscriptionSlot : expressionTypeSlot;
      const s = r.readString(slot);
      if (s === undefined) return undefined;
      if (key === 0) h.consumerGroup = s;
      else if (key === 1) h.topic = s;
      else if (key === 8) h.subscription = s;
      else h.expressionType = s;
    } else {
      const n = r.readQuotedInt();
      if (n === undefined) return undefined;
      if ((INT_FIELDS & (1 << key)) !== 0 && (n < -2147483648 || n > 2147483647)) return undefined;
      if (key === 2) h.queueId = n;
      else if (key === 3) h.queueOffset = n;
      else if (key === 4) h.maxMsgNums = n;
      else if (key === 5) h.sysFlag = n;
      else if (key === 6) h.commitOffset = n;
      else if (key === 7) h.suspendTimeoutMillis = n;
      else h.subVersion = n;
    }
    seen |= 1 << key;
    const more = r.more();
    if (more === undefined) return undefined;
    if (!more) break;
  }
  return (seen & REQUIRED) === REQUIRED ? h : undefined;
}

/**
 * The command fields and typed header of a PULL_MESSAGE JSON header in buf[start, end), or undefined
 * when it is not in the plain shape or lacks a field (the caller then decodes it the general way,
 * which also gives a missing or bad field its error). A consumer pulls a batch at a time, so this
 * runs once per ~32 messages: JSON.parse and the map it builds were ~3% of the broker's time while
 * consuming.
 */
export function readPullHeaderJson(
  buf: Buffer,
  start: number,
  end: number,
  code: number,
): FastJsonCommand<PullMessageRequestHeader> | undefined {
  return fastJsonHeaderReader.read(buf, start, end, code, readPullExtFields);
}
