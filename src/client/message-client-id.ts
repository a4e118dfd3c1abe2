import { randomInt } from 'node:crypto';
import { localAddress } from './client-config.js';

/**
 * The producer-side unique message id, property UNIQ_KEY (common/.../message/MessageClientIDSetter.java):
 * 16 bytes as 32 uppercase hex chars: IPv4 (4) + pid (2) + a per-process random int (4, Java uses the
 * class loader's hash) + ms since the start of the current month (4) + a counter (2).
 */
const fixPrefix = buildFixPrefix();
let counter = 0;
let startTime = 0;
let nextStartTime = 0;

function buildFixPrefix(): string {
  const b = Buffer.alloc(10);
  const parts = localAddress().split('.').map(Number);
  if (parts.length === 4 && parts.every((n) => Number.isInteger(n) && n >= 0 && n < 256)) {
    for (let i = 0; i < 4; i++) b[i] = parts[i]!;
  } else {
    // MessageClientIDSetter.createFakeIP when no IPv4 can be had: the clock's low 4 bytes
    b.writeUInt32BE(Date.now() % 0x1_0000_0000, 0);
  }
  b.writeUInt16BE(process.pid & 0xffff, 4);
  b.writeInt32BE(randomInt(-0x8000_0000, 0x7fff_ffff), 6);
  return b.toString('hex').toUpperCase();
}

function setStartTime(now: number): void {
  const d = new Date(now);
  // Calendar.getInstance() is local time in Java too
  startTime = new Date(d.getFullYear(), d.getMonth(), 1).getTime();
  nextStartTime = new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime();
}

function hex(value: number, digits: number): string {
  return value.toString(16).toUpperCase().padStart(digits, '0');
}

export function createUniqId(now = Date.now()): string {
  if (now >= nextStartTime || now < startTime - 1_000_000) setStartTime(now);
  let diff = now - startTime;
  if (diff < 0) diff = 0; // clock stepped back (NTP), as Java clamps small negative spans
  const id = fixPrefix + hex(diff >>> 0, 8) + hex(counter & 0xffff, 4);
  counter = (counter + 1) | 0;
  return id;
}

/** The IPv4 address encoded in a unique id, for diagnostics (MessageClientIDSetter.getIPStrFromID). */
export function ipFromUniqId(id: string): string {
  const b = Buffer.from(id.slice(0, 8), 'hex');
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}
