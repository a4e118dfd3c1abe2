import { RemotingCommandError } from '../../custom-header.js';
import { RemotingCommand } from '../../remoting-command.js';

/**
 * SEND_MESSAGE (10) custom header, RocketMQ's SendMessageRequestHeader. SEND_MESSAGE_V2 (310) and
 * SEND_BATCH_MESSAGE (320) carry the same fields under one-letter names (SendMessageRequestHeaderV2),
 * which saves bytes on every send; both decode to this one shape.
 */
export interface SendMessageRequestHeader {
  /** Not required: 4.9.8 never reads it on the send path (its decoding lets a missing field be null). */
  producerGroup?: string;
  topic: string;
  defaultTopic: string;
  defaultTopicQueueNums: number;
  queueId: number;
  sysFlag: number;
  bornTimestamp: number;
  flag: number;
  properties?: string;
  reconsumeTimes?: number;
  unitMode: boolean;
  batch: boolean;
  maxReconsumeTimes?: number;
  /** brokerName (`n` in V2), sent by newer clients; informational here. */
  bname?: string;
}

// Decoding is on the send hot path: plain property reads and parseInt, no reflection-like helpers.
function req(ext: Record<string, string>, key: string): string {
  const v = ext[key];
  if (v === undefined || v === null) throw new RemotingCommandError(`the custom field <${key}> is null`);
  return v;
}

/** Integer.parseInt / Long.parseLong: optional sign, decimal digits. A digit loop beats Number() here. */
function int(ext: Record<string, string>, key: string): number {
  const s = req(ext, key);
  const len = s.length;
  let i = 0;
  let neg = false;
  if (len > 0 && (s.charCodeAt(0) === 45 || s.charCodeAt(0) === 43)) {
    neg = s.charCodeAt(0) === 45;
    i = 1;
  }
  if (i === len || len - i > 15) {
    const n = Number(s);
    if (len > 0 && /^[+-]?\d+$/.test(s) && Number.isFinite(n)) return n;
    throw new RemotingCommandError(`the custom field <${key}> is not a number: ${s}`);
  }
  let n = 0;
  for (; i < len; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) throw new RemotingCommandError(`the custom field <${key}> is not a number: ${s}`);
    n = n * 10 + d;
  }
  return neg ? -n : n;
}

function optInt(ext: Record<string, string>, key: string): number | undefined {
  const s = ext[key];
  if (s === undefined || s === null) return undefined;
  return int(ext, key);
}

/** RemotingCommand.decodeCommandCustomHeader: a value that does not parse leaves the field null. */
function lenientInt(ext: Record<string, string>, key: string): number | undefined {
  const s = ext[key];
  if (s === undefined || s === null) return undefined;
  try {
    return int(ext, key);
  } catch {
    return undefined;
  }
}

/** Java's Boolean.parseBoolean: anything but "true" (any case) is false. */
function bool(ext: Record<string, string>, key: string): boolean {
  const s = ext[key];
  return s !== undefined && s !== null && s.toLowerCase() === 'true';
}

export function decodeSendMessageRequestHeader(ext: Record<string, string>): SendMessageRequestHeader {
  const h: SendMessageRequestHeader = {
    producerGroup: ext.producerGroup ?? undefined,
    topic: req(ext, 'topic'),
    defaultTopic: req(ext, 'defaultTopic'),
    defaultTopicQueueNums: int(ext, 'defaultTopicQueueNums'),
    queueId: int(ext, 'queueId'),
    sysFlag: int(ext, 'sysFlag'),
    bornTimestamp: int(ext, 'bornTimestamp'),
    flag: int(ext, 'flag'),
    properties: ext.properties ?? undefined,
    // V1 goes through 4.9.8's generic decoding, which reads a bad number as null
    reconsumeTimes: lenientInt(ext, 'reconsumeTimes'),
    unitMode: bool(ext, 'unitMode'),
    batch: bool(ext, 'batch'),
    maxReconsumeTimes: lenientInt(ext, 'maxReconsumeTimes'),
  };
  if (ext.bname !== undefined) h.bname = ext.bname;
  return h;
}

export function decodeSendMessageRequestHeaderV2(ext: Record<string, string>): SendMessageRequestHeader {
  const h: SendMessageRequestHeader = {
    producerGroup: ext.a ?? undefined,
    topic: req(ext, 'b'),
    defaultTopic: req(ext, 'c'),
    defaultTopicQueueNums: int(ext, 'd'),
    queueId: int(ext, 'e'),
    sysFlag: int(ext, 'f'),
    bornTimestamp: int(ext, 'g'),
    flag: int(ext, 'h'),
    properties: ext.i ?? undefined,
    reconsumeTimes: optInt(ext, 'j'),
    unitMode: bool(ext, 'k'),
    maxReconsumeTimes: optInt(ext, 'l'),
    batch: bool(ext, 'm'),
  };
  if (ext.n !== undefined) h.bname = ext.n;
  return h;
}

function put(out: Record<string, string>, key: string, v: string | number | boolean | undefined): void {
  if (v !== undefined) out[key] = String(v);
}

export function encodeSendMessageRequestHeader(h: SendMessageRequestHeader): Record<string, string> {
  const out: Record<string, string> = {};
  put(out, 'producerGroup', h.producerGroup);
  put(out, 'topic', h.topic);
  put(out, 'defaultTopic', h.defaultTopic);
  put(out, 'defaultTopicQueueNums', h.defaultTopicQueueNums);
  put(out, 'queueId', h.queueId);
  put(out, 'sysFlag', h.sysFlag);
  put(out, 'bornTimestamp', h.bornTimestamp);
  put(out, 'flag', h.flag);
  put(out, 'properties', h.properties);
  put(out, 'reconsumeTimes', h.reconsumeTimes);
  put(out, 'unitMode', h.unitMode);
  put(out, 'batch', h.batch);
  put(out, 'maxReconsumeTimes', h.maxReconsumeTimes);
  put(out, 'bname', h.bname);
  return out;
}

/** The V2 (one-letter) form used with SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE. */
export function encodeSendMessageRequestHeaderV2(h: SendMessageRequestHeader): Record<string, string> {
  const out: Record<string, string> = {};
  put(out, 'a', h.producerGroup);
  put(out, 'b', h.topic);
  put(out, 'c', h.defaultTopic);
  put(out, 'd', h.defaultTopicQueueNums);
  put(out, 'e', h.queueId);
  put(out, 'f', h.sysFlag);
  put(out, 'g', h.bornTimestamp);
  put(out, 'h', h.flag);
  put(out, 'i', h.properties);
  put(out, 'j', h.reconsumeTimes);
  put(out, 'k', h.unitMode);
  put(out, 'l', h.maxReconsumeTimes);
  put(out, 'm', h.batch);
  put(out, 'n', h.bname);
  return out;
}

/** b (topic), c (defaultTopic), d, e, f, g, h: decodeSendMessageRequestHeaderV2's required fields, one bit per letter. */
export const SEND_V2_REQUIRED = 0b1111_1110;

/** A header with every field at its zero, for the JSON readers to fill field by field. */
export function blankSendMessageRequestHeader(): SendMessageRequestHeader {
  return {
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
}

/** Producer group, topic, default topic, broker name: strings that repeat send after send. */
export const V2_REPEATING = 1;
export const V2_PROPERTIES = 2;
export const V2_BOOLEAN = 3;
export const V2_INT = 4;
/** What each V2 field holds, by letter (0 = a); undefined for a letter the header does not have. */
export const SEND_V2_KIND: readonly number[] = [
  V2_REPEATING,
  V2_REPEATING,
  V2_REPEATING,
  V2_INT,
  V2_INT,
  V2_INT,
  V2_INT,
  V2_INT,
  V2_PROPERTIES,
  V2_INT,
  V2_BOOLEAN,
  V2_INT,
  V2_BOOLEAN,
  V2_REPEATING,
];

/** Sets the V2 boolean field of `letter` (0 = a): k (unitMode) or m (batch). */
export function setSendV2Boolean(h: SendMessageRequestHeader, letter: number, t: boolean): void {
  if (letter === 10) h.unitMode = t;
  else h.batch = t;
}

/** Sets the V2 string field of `letter` (0 = a): a, b, c, i or n. */
export function setSendV2String(h: SendMessageRequestHeader, letter: number, s: string): void {
  if (letter === 0) h.producerGroup = s;
  else if (letter === 1) h.topic = s;
  else if (letter === 2) h.defaultTopic = s;
  else if (letter === 8) h.properties = s;
  else h.bname = s;
}

/** Sets the V2 integer field of `letter` (0 = a): d, e, f, g, h, j or l. */
export function setSendV2Int(h: SendMessageRequestHeader, letter: number, n: number): void {
  if (letter === 3) h.defaultTopicQueueNums = n;
  else if (letter === 4) h.queueId = n;
  else if (letter === 5) h.sysFlag = n;
  else if (letter === 6) h.bornTimestamp = n;
  else if (letter === 7) h.flag = n;
  else if (letter === 9) h.reconsumeTimes = n;
  else h.maxReconsumeTimes = n;
}

/**
 * A send request whose header was decoded into its typed fields before dispatch: by the JSON header's
 * fast path (send-message-header-json.ts) or by the broker's network thread.
 */
export class PreDecodedSendCommand extends RemotingCommand {
  sendHeader!: SendMessageRequestHeader;
}
