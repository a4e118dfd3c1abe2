import { isIPv4, isIPv6 } from 'node:net';

/**
 * Socket addresses as RocketMQ stores them (IPv4: 4 address bytes + int32 port; IPv6: 16 + 4) and
 * offset message ids: uppercase hex of store host address + port + int64 commit log offset
 * (protocol.md s.5, MessageDecoder.createMessageId / decodeMessageId).
 */

export class InvalidAddressError extends Error {
  override readonly name = 'InvalidAddressError';
}

const TWO_POW_32 = 0x1_0000_0000;

/** Splits "ip:port", "[v6]:port" or "v6:port" (Java's InetSocketAddress style) into its parts. */
export function splitHostPort(addr: string): { host: string; port: number } {
  let host: string;
  let portText: string;
  if (addr.startsWith('[')) {
    const close = addr.indexOf(']');
    if (close < 0 || addr[close + 1] !== ':') throw new InvalidAddressError(`bad address: ${addr}`);
    host = addr.substring(1, close);
    portText = addr.substring(close + 2);
  } else {
    const colon = addr.lastIndexOf(':');
    if (colon < 0) throw new InvalidAddressError(`bad address (no port): ${addr}`);
    host = addr.substring(0, colon);
    portText = addr.substring(colon + 1);
  }
  if (host.startsWith('/')) host = host.substring(1); // Java's InetSocketAddress.toString() form
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidAddressError(`bad port: ${addr}`);
  return { host, port };
}

function parseIPv4(host: string, out: Buffer, at: number): void {
  const parts = host.split('.');
  for (let i = 0; i < 4; i++) out[at + i] = Number(parts[i]);
}

/** 16 bytes of an IPv6 address (accepts "::" compression, a dotted IPv4 tail and a %zone). */
function parseIPv6(host: string): Buffer {
  const zone = host.indexOf('%');
  if (zone >= 0) host = host.substring(0, zone);
  const out = Buffer.alloc(16);
  let tail4: string | undefined;
  const lastColon = host.lastIndexOf(':');
  if (host.indexOf('.', lastColon) >= 0) {
    tail4 = host.substring(lastColon + 1);
    host = `${host.substring(0, lastColon + 1)}0:0`;
  }
  const dbl = host.indexOf('::');
  const head = dbl >= 0 ? host.substring(0, dbl) : host;
  const rest = dbl >= 0 ? host.substring(dbl + 2) : '';
  const headGroups = head.length > 0 ? head.split(':') : [];
  const tailGroups = rest.length > 0 ? rest.split(':') : [];
  for (let i = 0; i < headGroups.length; i++) out.writeUInt16BE(Number.parseInt(headGroups[i]!, 16), i * 2);
  for (let i = 0; i < tailGroups.length; i++)
    out.writeUInt16BE(Number.parseInt(tailGroups[i]!, 16), 16 - (tailGroups.length - i) * 2);
  if (tail4 !== undefined) parseIPv4(tail4, out, 12);
  return out;
}

function isV4Mapped(b: Buffer): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/**
 * "ip:port" to RocketMQ's stored form: 8 bytes for IPv4, 20 for IPv6. An IPv4-mapped IPv6 address
 * (what a dual-stack Node server reports) becomes IPv4, as Java's InetAddress does.
 */
export function encodeSocketAddress(addr: string): Buffer {
  const { host, port } = splitHostPort(addr);
  if (isIPv4(host)) {
    const out = Buffer.allocUnsafe(8);
    parseIPv4(host, out, 0);
    out.writeInt32BE(port, 4);
    return out;
  }
  const bare = host.includes('%') ? host.substring(0, host.indexOf('%')) : host;
  if (!isIPv6(bare)) throw new InvalidAddressError(`not an IP address: ${addr}`);
  const ip = parseIPv6(bare);
  if (isV4Mapped(ip)) {
    const out = Buffer.allocUnsafe(8);
    ip.copy(out, 0, 12, 16);
    out.writeInt32BE(port, 4);
    return out;
  }
  const out = Buffer.allocUnsafe(20);
  ip.copy(out, 0);
  out.writeInt32BE(port, 16);
  return out;
}

/** The IP part as Java's getHostAddress() prints it (IPv6: eight groups, no compression). */
export function formatIp(buf: Buffer, offset: number, v6: boolean): string {
  if (!v6) return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(offset + i * 2).toString(16));
  return groups.join(':');
}

/** "ip:port" of a stored address (8 bytes when !v6, 20 when v6) at `offset` of `buf`. */
export function decodeSocketAddress(buf: Buffer, offset = 0, v6 = buf.length - offset >= 20): string {
  const ipLen = v6 ? 16 : 4;
  return `${formatIp(buf, offset, v6)}:${buf.readInt32BE(offset + ipLen)}`;
}

/** Two uppercase hex digits per byte value. */
const HEX_BYTE: string[] = [];
for (let i = 0; i < 256; i++) HEX_BYTE.push(i.toString(16).toUpperCase().padStart(2, '0'));

/**
 * 16 uppercase hex digits of a non-negative offset below 2^53. Once per stored message (its msgId):
 * eight table lookups cost ~0.13 us here, toString(16) with padding and upper-casing ~0.3 us.
 */
export function offsetToHex(offset: number): string {
  const hi = Math.floor(offset / TWO_POW_32);
  const lo = offset - hi * TWO_POW_32;
  const h = HEX_BYTE;
  return (
    h[hi >>> 24]! +
    h[(hi >>> 16) & 255]! +
    h[(hi >>> 8) & 255]! +
    h[hi & 255]! +
    h[lo >>> 24]! +
    h[(lo >>> 16) & 255]! +
    h[(lo >>> 8) & 255]! +
    h[lo & 255]!
  );
}

const HEX_DIGITS = Buffer.from('0123456789ABCDEF', 'latin1');

/**
 * offsetToHex written into bytes: a send reply's msgId and an op message's UNIQ_KEY are patched in
 * place, with no string made per message.
 */
export function putOffsetHex(out: Uint8Array, pos: number, offset: number): void {
  let lo = offset % 0x1_0000_0000;
  let hi = (offset - lo) / 0x1_0000_0000;
  for (let i = pos + 15; i >= pos + 8; i--) {
    out[i] = HEX_DIGITS[lo & 15]!;
    lo >>>= 4;
  }
  for (let i = pos + 7; i >= pos; i--) {
    out[i] = HEX_DIGITS[hi & 15]!;
    hi >>>= 4;
  }
}

/** The offset message id: hex(store host bytes) + hex(int64 commit log offset). */
export function createOffsetMsgId(storeHost: Buffer, commitLogOffset: number): string {
  return storeHost.toString('hex').toUpperCase() + offsetToHex(commitLogOffset);
}

export interface DecodedMessageId {
  /** "ip:port" of the broker that stored the message. */
  address: string;
  ip: string;
  port: number;
  /** Commit log offset of the message on that broker. */
  offset: number;
}

/** Inverse of createOffsetMsgId: 32 hex chars for IPv4 store hosts, 56 for IPv6. */
export function decodeOffsetMsgId(msgId: string): DecodedMessageId {
  if ((msgId.length !== 32 && msgId.length !== 56) || !/^[0-9A-Fa-f]+$/.test(msgId))
    throw new InvalidAddressError(`not an offset message id: ${msgId}`);
  const bytes = Buffer.from(msgId, 'hex');
  const v6 = bytes.length === 28;
  const ipLen = v6 ? 16 : 4;
  const ip = formatIp(bytes, 0, v6);
  const port = bytes.readInt32BE(ipLen);
  const offset = bytes.readUInt32BE(ipLen + 4) * TWO_POW_32 + bytes.readUInt32BE(ipLen + 8);
  return { address: `${ip}:${port}`, ip, port, offset };
}
