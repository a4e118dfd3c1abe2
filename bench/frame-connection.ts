/**
 * The generators' own remoting connections (bench/producer-bench.ts, bench/transaction-bench.ts): frames
 * are queued and written as one buffer per flush, and each response is handed on as its raw JSON header
 * bytes, so a generator reads only the fields it needs by scanning (headerIntAt, or headerInt /
 * headerStr over its text) instead of parsing every response. RemotingClient is not used because its per-request promise and full decode
 * would cost the generator more than the broker it measures.
 */
import type { Socket } from 'node:net';
import type { MasterQueues } from './bench-support.js';
import { connectFrames, FrameReader } from './frame-reader.js';

/** A response's JSON header, buf[start, end), valid only during the call. */
export type OnResponseHeader = (conn: FrameConnection, buf: Buffer, start: number, end: number) => void;

export class FrameConnection {
  readonly socket: Socket;
  private pending: Buffer[] = [];
  private readonly reader = new FrameReader((buf, at) => {
    const headerLen = buf.readInt32BE(at + 4) & 0xffffff;
    this.onHeader(this, buf, at + 8, at + 8 + headerLen);
  });

  constructor(
    addr: string,
    private readonly onHeader: OnResponseHeader,
  ) {
    // responses are read into one reused buffer: no allocation per read (the generator's GC was
    // ~0.8 us per message with a buffer per read and a concat per split frame); what the handler
    // queued in reply (END_TRANSACTION commits) goes out as one write per read
    this.socket = connectFrames(addr, this.reader, () => this.flush());
  }

  queue(buf: Buffer): void {
    this.pending.push(buf);
  }

  /** Writes `buf` after anything queued; `onWritten` runs once the socket no longer needs its bytes. */
  write(buf: Buffer, onWritten: () => void): void {
    this.flush();
    this.socket.write(buf, onWritten);
  }

  flush(): void {
    if (this.pending.length === 0) return;
    this.socket.write(this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending));
    this.pending = [];
  }
}

export interface SendTarget {
  conn: FrameConnection;
  queueId: number;
}

/**
 * `connections` connections to every master, connected, and one target per write queue, the queues of a
 * master spread round-robin over its connections.
 */
export async function connectTargets(
  brokers: MasterQueues[],
  connections: number,
  onHeader: OnResponseHeader,
): Promise<{ conns: FrameConnection[]; targets: SendTarget[] }> {
  const targets: SendTarget[] = [];
  const conns: FrameConnection[] = [];
  for (const b of brokers) {
    const cs: FrameConnection[] = [];
    for (let i = 0; i < connections; i++) cs.push(new FrameConnection(b.addr, onHeader));
    conns.push(...cs);
    for (let q = 0; q < b.writeQueueNums; q++) targets.push({ conn: cs[q % cs.length]!, queueId: q });
  }
  await Promise.all(
    conns.map((c) => new Promise<void>((r, j) => c.socket.once('connect', r).once('error', j))),
  );
  // a broker going away mid-run ends in lost responses (the drain guards), not an unhandled error
  for (const c of conns) c.socket.on('error', () => {});
  return { conns, targets };
}

/** The keys generators read from every response header, for headerIntAt. */
export const CODE_KEY = Buffer.from('"code":', 'latin1');
export const OPAQUE_KEY = Buffer.from('"opaque":', 'latin1');

/**
 * The integer after `key` (a JSON key with its colon, as bytes) in header bytes buf[start, end), -1
 * when absent: no string made per response. The code comes first in every header.
 */
export function headerIntAt(buf: Buffer, start: number, end: number, key: Buffer, last = false): number {
  // `last`: searched backwards from the end, for a key near it (opaque: the extFields come first)
  const at = last ? buf.lastIndexOf(key, end - key.length) : buf.indexOf(key, start);
  if (at < start || at + key.length > end) return -1;
  let i = at + key.length;
  while (i < end && buf[i] === 32) i++;
  let neg = false;
  if (buf[i] === 0x2d) {
    neg = true;
    i++;
  }
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  return neg ? -n : n;
}

/** The integer after `key` in a JSON header text (`"code":`, `"opaque":`), -1 when absent. */
export function headerInt(s: string, key: string): number {
  const at = s.indexOf(key);
  if (at < 0) return -1;
  let i = at + key.length;
  while (s.charCodeAt(i) === 32) i++;
  let neg = false;
  if (s[i] === '-') {
    neg = true;
    i++;
  }
  let n = 0;
  for (let c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(++i)) n = n * 10 + (c - 48);
  return neg ? -n : n;
}

/** The string after `key` (which ends with the opening quote) up to the closing quote, '' when absent. */
export function headerStr(s: string, key: string): string {
  const at = s.indexOf(key);
  if (at < 0) return '';
  const start = at + key.length;
  return s.substring(start, s.indexOf('"', start));
}
