/**
 * The consumer generator's own connection (bench/consumer-bench.ts): PULL_MESSAGE responses are read
 * into buffers it reuses, never one allocated per socket read or per split frame, and each response is
 * looked at only for what the generator needs (code, opaque, nextBeginOffset, the messages' sizes and
 * born timestamps), so the generator spends its CPU on neither GC nor decoding. Measured against
 * RemotingClient: GC alone was ~1.1 us per received message, a quarter of the generator's CPU, on a
 * machine whose two cores the broker shares with it.
 */
import type { Socket } from 'node:net';
import { encodeCommand } from '../src/remoting/remoting-codec.js';
import type { RemotingCommand } from '../src/remoting/remoting-command.js';
import { headerInt, headerStr } from './frame-connection.js';
import { connectFrames, FrameReader } from './frame-reader.js';

/** Where bornTimestamp sits in a stored message (protocol.md s.5). */
const BORN_TS_POS = 40;
const TWO_POW_32 = 0x1_0000_0000;

export interface PullAnswer {
  code: number;
  /** nextBeginOffset from the response's extFields, -1 when absent */
  nextBeginOffset: number;
}

/** Called once per message received, with its born timestamp and the time its response was read. */
export type OnMessage = (bornTimestamp: number, receivedAt: number) => void;

interface Waiter {
  resolve(a: PullAnswer): void;
  reject(err: Error): void;
}

export class PullConnection {
  private readonly socket: Socket;
  private readonly waiters = new Map<number, Waiter>();
  private readonly reader = new FrameReader((buf, at, total) => this.onFrame(buf, at, total));
  private closed = false;

  private constructor(
    addr: string,
    private readonly onMessage: OnMessage,
  ) {
    this.socket = connectFrames(addr, this.reader);
    this.socket.on('close', () => this.fail(new Error(`connection to ${addr} closed`)));
    this.socket.on('error', () => {});
  }

  static async open(addr: string, onMessage: OnMessage): Promise<PullConnection> {
    const c = new PullConnection(addr, onMessage);
    await new Promise<void>((resolve, reject) => {
      c.socket.once('connect', resolve).once('error', reject);
    });
    return c;
  }

  pull(request: RemotingCommand): Promise<PullAnswer> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise<PullAnswer>((resolve, reject) => {
      this.waiters.set(request.opaque, { resolve, reject });
      this.socket.write(encodeCommand(request));
    });
  }

  close(): void {
    this.socket.destroy();
    this.fail(new Error('connection closed'));
  }

  private fail(err: Error): void {
    this.closed = true;
    for (const w of this.waiters.values()) w.reject(err);
    this.waiters.clear();
  }

  private onFrame(buf: Buffer, at: number, total: number): void {
    const headerLen = buf.readInt32BE(at + 4) & 0xffffff;
    const header = buf.toString('latin1', at + 8, at + 8 + headerLen);
    const opaque = headerInt(header, '"opaque":');
    const w = this.waiters.get(opaque);
    if (w === undefined) return;
    this.waiters.delete(opaque);
    const code = headerInt(header, '"code":');
    const next = headerStr(header, '"nextBeginOffset":"');
    const now = Date.now();
    const end = at + total;
    for (let p = at + 8 + headerLen; p + BORN_TS_POS + 8 <= end; ) {
      const size = buf.readInt32BE(p);
      if (size <= 0) break;
      this.onMessage(
        buf.readInt32BE(p + BORN_TS_POS) * TWO_POW_32 + buf.readUInt32BE(p + BORN_TS_POS + 4),
        now,
      );
      p += size;
    }
    w.resolve({ code, nextBeginOffset: next === '' ? -1 : Number(next) });
  }
}
