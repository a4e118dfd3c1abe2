/**
 * The ROCKETMQ binary header (serialize type 1), remoting/.../protocol/RocketMQSerializable.java:
 * code int16, language int8, version int16, opaque int32, flag int32, remark (int32 length + UTF-8,
 * 0 = null), extFields (int32 total length, then per entry int16 key length + key, int32 value
 * length + value). Big-endian.
 */
import { RemotingFrameError } from './errors.js';
import { languageCodeOf, languageName } from './language-code.js';
import { RemotingCommand, SerializeType, setExtField } from './remoting-command.js';
import { readUtf8, utf8Length, writeUtf8 } from './utf8.js';

const FIXED_PART = 2 + 1 + 2 + 4 + 4 + 4 + 4;

// SEND_MESSAGE_V2 and friends use one-letter keys (SendMessageRequestHeaderV2: a..n): no decoding for those.
const ONE_CHAR_KEYS = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));

/** Byte length of the binary header for `cmd`. */
export function rocketmqHeaderLength(cmd: RemotingCommand): number {
  let len = FIXED_PART;
  if (cmd.remark !== null) len += utf8Length(cmd.remark);
  const ext = cmd.extFields;
  for (const key in ext) {
    const value = ext[key];
    if (value === undefined || value === null) continue;
    len += 6 + utf8Length(key) + utf8Length(typeof value === 'string' ? value : String(value));
  }
  return len;
}

/** Writes the header at `offset` (exactly rocketmqHeaderLength(cmd) bytes); returns the end offset. */
export function writeRocketmqHeader(cmd: RemotingCommand, buf: Buffer, offset: number): number {
  // Java writes code and version as (short): keep the low 16 bits, signed.
  buf.writeInt16BE((cmd.code << 16) >> 16, offset);
  buf.writeUInt8(languageCodeOf(cmd.language) & 0xff, offset + 2);
  buf.writeInt16BE((cmd.version << 16) >> 16, offset + 3);
  buf.writeInt32BE(cmd.opaque | 0, offset + 5);
  buf.writeInt32BE(cmd.flag | 0, offset + 9);
  let pos = offset + 13;
  if (cmd.remark !== null && cmd.remark.length > 0) {
    const n = writeUtf8(buf, cmd.remark, pos + 4);
    buf.writeInt32BE(n, pos);
    pos += 4 + n;
  } else {
    buf.writeInt32BE(0, pos);
    pos += 4;
  }
  const mapLenAt = pos;
  pos += 4;
  const ext = cmd.extFields;
  for (const key in ext) {
    const raw = ext[key];
    if (raw === undefined || raw === null) continue;
    const value = typeof raw === 'string' ? raw : String(raw);
    const kn = writeUtf8(buf, key, pos + 2);
    buf.writeUInt16BE(kn, pos);
    pos += 2 + kn;
    const vn = writeUtf8(buf, value, pos + 4);
    buf.writeInt32BE(vn, pos);
    pos += 4 + vn;
  }
  buf.writeInt32BE(pos - mapLenAt - 4, mapLenAt);
  return pos;
}

/** Decodes header bytes buf[start, end) into a command (body set by the caller). */
export function decodeRocketmqHeader(buf: Buffer, start: number, end: number): RemotingCommand {
  if (end - start < FIXED_PART) {
    throw new RemotingFrameError(`ROCKETMQ header too short: ${end - start} bytes`);
  }
  const code = buf.readInt16BE(start);
  const language = languageName(buf.readUInt8(start + 2));
  const version = buf.readInt16BE(start + 3);
  const opaque = buf.readInt32BE(start + 5);
  const flag = buf.readInt32BE(start + 9);
  let pos = start + 13;
  const remarkLen = buf.readInt32BE(pos);
  pos += 4;
  if (remarkLen < 0 || remarkLen > end - pos - 4) {
    throw new RemotingFrameError(`ROCKETMQ header: bad remark length ${remarkLen}`);
  }
  // As RocketMQSerializable.readStr: a zero length reads as null.
  const remark = remarkLen === 0 ? null : readUtf8(buf, pos, pos + remarkLen);
  pos += remarkLen;
  const extLen = buf.readInt32BE(pos);
  pos += 4;
  if (extLen < 0 || extLen > end - pos) {
    throw new RemotingFrameError(`ROCKETMQ header: bad extFields length ${extLen}`);
  }
  const extFields: Record<string, string> = {};
  const extEnd = pos + extLen;
  while (pos < extEnd) {
    if (extEnd - pos < 2) throw new RemotingFrameError('ROCKETMQ header: truncated extFields key');
    const kn = buf.readUInt16BE(pos);
    pos += 2;
    if (kn > extEnd - pos - 4)
      throw new RemotingFrameError(`ROCKETMQ header: bad extFields key length ${kn}`);
    const first = buf[pos]!;
    const key = kn === 1 && first < 0x80 ? ONE_CHAR_KEYS[first]! : readUtf8(buf, pos, pos + kn);
    pos += kn;
    const vn = buf.readInt32BE(pos);
    pos += 4;
    if (vn < 0 || vn > extEnd - pos) {
      throw new RemotingFrameError(`ROCKETMQ header: bad extFields value length ${vn}`);
    }
    setExtField(extFields, key, readUtf8(buf, pos, pos + vn));
    pos += vn;
  }
  return new RemotingCommand(
    code,
    language,
    version,
    opaque,
    flag,
    remark,
    extFields,
    null,
    SerializeType.ROCKETMQ,
  );
}
