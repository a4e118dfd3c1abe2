import { crc32, inflateSync } from 'node:zlib';
import type { Message, MessageExt } from './message.js';
import { MessageSysFlag } from './message-const.js';
import { createOffsetMsgId, decodeSocketAddress } from './message-id.js';
import { decodeProperties, encodeProperties } from './message-properties.js';

/**
 * The stored message layout (protocol.md s.5; CommitLog.calMsgLength, MessageDecoder.java), used in
 * CommitLog files and in pull/query/view response bodies, and SEND_BATCH_MESSAGE's body layout.
 */

export const MESSAGE_MAGIC_CODE = -626843481; // 0xDAA320A7
export const BLANK_MAGIC_CODE = -875286124; // 0xCBD43194

export const MAGIC_CODE_POSITION = 4;
export const BODY_CRC_POSITION = 8;
export const QUEUE_ID_POSITION = 12;
export const FLAG_POSITION = 16;
export const QUEUE_OFFSET_POSITION = 20;
export const PHY_POS_POSITION = 28;
export const SYSFLAG_POSITION = 36;
export const BORN_TIMESTAMP_POSITION = 40;
export const BORN_HOST_POSITION = 48;

const TWO_POW_32 = 0x1_0000_0000;

export function bornHostLength(sysFlag: number): number {
  return (sysFlag & MessageSysFlag.BORNHOST_V6_FLAG) === 0 ? 8 : 20;
}

export function storeHostLength(sysFlag: number): number {
  return (sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) === 0 ? 8 : 20;
}

/** Position of STORETIMESTAMP in an entry with this sysFlag. */
export function storeTimestampPosition(sysFlag: number): number {
  return BORN_HOST_POSITION + bornHostLength(sysFlag);
}

/** Position of the body length word in an entry with this sysFlag. */
export function bodyLengthPosition(sysFlag: number): number {
  return BORN_HOST_POSITION + bornHostLength(sysFlag) + 8 + storeHostLength(sysFlag) + 4 + 8;
}

/** Size of a stored entry (CommitLog.calMsgLength). */
export function calMsgLength(
  sysFlag: number,
  bodyLength: number,
  topicLength: number,
  propertiesLength: number,
): number {
  return bodyLengthPosition(sysFlag) + 4 + Math.max(bodyLength, 0) + 1 + topicLength + 2 + propertiesLength;
}

/** UtilAll.crc32: java.util.zip.CRC32 masked to a positive int. */
export function crc32Masked(data: Uint8Array): number {
  return crc32(data) & 0x7fffffff;
}

/** int64 at `pos` as a JS number (exact below 2^53). */
export function readLong(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_POW_32 + buf.readUInt32BE(pos + 4);
}

/** Writes a JS number (|n| < 2^53) as int64 at `pos`. */
export function writeLong(buf: Buffer, n: number, pos: number): void {
  const hi = Math.floor(n / TWO_POW_32);
  buf.writeInt32BE(hi | 0, pos);
  buf.writeUInt32BE(n - hi * TWO_POW_32, pos + 4);
}

export class MessageDecodeError extends Error {
  override readonly name = 'MessageDecodeError';
}

export interface DecodeOptions {
  /** Read the body (default true). */
  readBody?: boolean;
  /** Inflate zlib-compressed bodies (COMPRESSED_FLAG), as MessageDecoder.decode does by default (true). */
  decompressBody?: boolean;
}

/** Decodes the stored entry at `offset` of `buf`. Throws MessageDecodeError on a malformed entry. */
export function decodeMessage(buf: Buffer, offset = 0, opts: DecodeOptions = {}): MessageExt {
  const readBody = opts.readBody ?? true;
  const decompress = opts.decompressBody ?? true;
  if (buf.length - offset < BORN_HOST_POSITION) throw new MessageDecodeError('truncated message header');
  const storeSize = buf.readInt32BE(offset);
  const magic = buf.readInt32BE(offset + MAGIC_CODE_POSITION);
  if (magic !== MESSAGE_MAGIC_CODE)
    throw new MessageDecodeError(`bad magic code 0x${(magic >>> 0).toString(16)}`);
  if (storeSize < BORN_HOST_POSITION || offset + storeSize > buf.length)
    throw new MessageDecodeError(`bad total size ${storeSize}`);
  const sysFlag = buf.readInt32BE(offset + SYSFLAG_POSITION);
  const bornV6 = (sysFlag & MessageSysFlag.BORNHOST_V6_FLAG) !== 0;
  const storeV6 = (sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) !== 0;
  let p = offset + BORN_HOST_POSITION;
  const bornHost = decodeSocketAddress(buf, p, bornV6);
  p += bornV6 ? 20 : 8;
  const storeTimestamp = readLong(buf, p);
  p += 8;
  const storeHostStart = p;
  const storeHost = decodeSocketAddress(buf, p, storeV6);
  p += storeV6 ? 20 : 8;
  const reconsumeTimes = buf.readInt32BE(p);
  p += 4;
  const preparedTransactionOffset = readLong(buf, p);
  p += 8;
  const bodyLen = buf.readInt32BE(p);
  p += 4;
  const end = offset + storeSize;
  if (bodyLen < 0 || p + bodyLen + 3 > end) throw new MessageDecodeError(`bad body length ${bodyLen}`);
  let body: Buffer = Buffer.alloc(0);
  if (bodyLen > 0 && readBody) {
    body = Buffer.from(buf.subarray(p, p + bodyLen));
    if (decompress && (sysFlag & MessageSysFlag.COMPRESSED_FLAG) !== 0) body = inflateSync(body);
  }
  p += bodyLen;
  const topicLen = buf.readUInt8(p);
  p += 1;
  const topic = buf.toString('utf8', p, p + topicLen);
  p += topicLen;
  const propertiesLength = buf.readInt16BE(p);
  p += 2;
  if (propertiesLength < 0 || p + propertiesLength > end)
    throw new MessageDecodeError(`bad properties length ${propertiesLength}`);
  const properties =
    propertiesLength > 0 ? decodeProperties(buf.toString('utf8', p, p + propertiesLength)) : {};
  const commitLogOffset = readLong(buf, offset + PHY_POS_POSITION);
  return {
    topic,
    flag: buf.readInt32BE(offset + FLAG_POSITION),
    properties,
    body,
    queueId: buf.readInt32BE(offset + QUEUE_ID_POSITION),
    storeSize,
    queueOffset: readLong(buf, offset + QUEUE_OFFSET_POSITION),
    sysFlag,
    bornTimestamp: readLong(buf, offset + BORN_TIMESTAMP_POSITION),
    bornHost,
    storeTimestamp,
    storeHost,
    msgId: createOffsetMsgId(
      buf.subarray(storeHostStart, storeHostStart + (storeV6 ? 20 : 8)),
      commitLogOffset,
    ),
    commitLogOffset,
    bodyCRC: buf.readInt32BE(offset + BODY_CRC_POSITION),
    reconsumeTimes,
    preparedTransactionOffset,
  };
}

/** Decodes concatenated stored entries (a pull or query response body). */
export function decodeMessages(buf: Buffer, opts: DecodeOptions = {}): MessageExt[] {
  const out: MessageExt[] = [];
  let offset = 0;
  while (offset + 4 <= buf.length) {
    const msg = decodeMessage(buf, offset, opts);
    out.push(msg);
    offset += msg.storeSize;
  }
  return out;
}

/** Fields of a stored entry, for encodeStoredMessage. Hosts are "ip:port" or already encoded bytes. */
export interface StoredMessageFields {
  topic: string;
  flag: number;
  properties: Record<string, string> | string;
  body: Buffer;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  sysFlag: number;
  bornTimestamp: number;
  bornHost: Buffer;
  storeTimestamp: number;
  storeHost: Buffer;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  /** Computed from the body when absent. */
  bodyCRC?: number;
}

/**
 * One stored entry, exactly as the CommitLog holds it (MessageDecoder.encode): the reference encoder
 * for tests, tools and HA. Sets the V6 sysFlag bits from the host lengths, as CommitLog does.
 */
export function encodeStoredMessage(m: StoredMessageFields): Buffer {
  let sysFlag = m.sysFlag & ~(MessageSysFlag.BORNHOST_V6_FLAG | MessageSysFlag.STOREHOSTADDRESS_V6_FLAG);
  if (m.bornHost.length === 20) sysFlag |= MessageSysFlag.BORNHOST_V6_FLAG;
  if (m.storeHost.length === 20) sysFlag |= MessageSysFlag.STOREHOSTADDRESS_V6_FLAG;
  const topic = Buffer.from(m.topic, 'utf8');
  const props = Buffer.from(
    typeof m.properties === 'string' ? m.properties : encodeProperties(m.properties),
    'utf8',
  );
  const size = calMsgLength(sysFlag, m.body.length, topic.length, props.length);
  const b = Buffer.alloc(size);
  b.writeInt32BE(size, 0);
  b.writeInt32BE(MESSAGE_MAGIC_CODE, MAGIC_CODE_POSITION);
  b.writeInt32BE(m.bodyCRC ?? crc32Masked(m.body), BODY_CRC_POSITION);
  b.writeInt32BE(m.queueId, QUEUE_ID_POSITION);
  b.writeInt32BE(m.flag, FLAG_POSITION);
  writeLong(b, m.queueOffset, QUEUE_OFFSET_POSITION);
  writeLong(b, m.commitLogOffset, PHY_POS_POSITION);
  b.writeInt32BE(sysFlag, SYSFLAG_POSITION);
  writeLong(b, m.bornTimestamp, BORN_TIMESTAMP_POSITION);
  let p = BORN_HOST_POSITION;
  p += m.bornHost.copy(b, p);
  writeLong(b, m.storeTimestamp, p);
  p += 8;
  p += m.storeHost.copy(b, p);
  b.writeInt32BE(m.reconsumeTimes, p);
  p += 4;
  writeLong(b, m.preparedTransactionOffset, p);
  p += 8;
  b.writeInt32BE(m.body.length, p);
  p += 4;
  p += m.body.copy(b, p);
  b.writeUInt8(topic.length, p);
  p += 1;
  p += topic.copy(b, p);
  b.writeInt16BE(props.length, p);
  p += 2;
  props.copy(b, p);
  return b;
}

/** One message of a SEND_BATCH_MESSAGE body (protocol.md s.3). */
export interface BatchMessageEntry {
  flag: number;
  body: Buffer;
  propertiesString: string;
}

/** Splits a SEND_BATCH_MESSAGE body (MessageDecoder.decodeMessages). Bodies are views into `body`. */
export function decodeBatchMessages(body: Buffer): BatchMessageEntry[] {
  const out: BatchMessageEntry[] = [];
  let p = 0;
  while (p < body.length) {
    if (body.length - p < 22) throw new MessageDecodeError('truncated batch entry');
    const flag = body.readInt32BE(p + 12);
    const bodyLen = body.readInt32BE(p + 16);
    const bodyStart = p + 20;
    if (bodyLen < 0 || bodyStart + bodyLen + 2 > body.length)
      throw new MessageDecodeError('bad batch body length');
    const propsLen = body.readInt16BE(bodyStart + bodyLen);
    const propsStart = bodyStart + bodyLen + 2;
    if (propsLen < 0 || propsStart + propsLen > body.length)
      throw new MessageDecodeError('bad batch properties');
    out.push({
      flag,
      body: body.subarray(bodyStart, bodyStart + bodyLen),
      propertiesString: body.toString('utf8', propsStart, propsStart + propsLen),
    });
    p = propsStart + propsLen;
  }
  return out;
}

/** Builds a SEND_BATCH_MESSAGE body (MessageDecoder.encodeMessages). */
export function encodeBatchMessages(
  messages: readonly Pick<Message, 'flag' | 'body' | 'properties'>[],
): Buffer {
  const parts: Buffer[] = [];
  for (const m of messages) {
    const props = Buffer.from(encodeProperties(m.properties), 'utf8');
    if (props.length > 32767)
      throw new MessageDecodeError('properties of a batch message exceed 32767 bytes');
    const size = 20 + m.body.length + 2 + props.length;
    const b = Buffer.alloc(size);
    b.writeInt32BE(size, 0);
    b.writeInt32BE(m.flag, 12);
    b.writeInt32BE(m.body.length, 16);
    m.body.copy(b, 20);
    b.writeInt16BE(props.length, 20 + m.body.length);
    props.copy(b, 22 + m.body.length);
    parts.push(b);
  }
  return Buffer.concat(parts);
}
