/**
 * Compact binary records for the two hot crossings between the network worker and the main thread:
 * send requests (header already decoded in the worker: numbers as numbers, four strings) and every
 * command the main thread hands back (responses and oneway requests: fields, extFields as key/value
 * strings, body). Structured cloning the same objects cost more than the JSON they replace.
 */
import {
  PreDecodedSendCommand,
  type SendMessageRequestHeader,
} from '../../remoting/protocol/header/send-message-request-header.js';
import { RemotingCommand, type SerializeType } from '../../remoting/remoting-command.js';
import { readUtf8, utf8Length, writeUtf8 } from '../../remoting/utf8.js';

/** Growable byte builder; the result is one fresh ArrayBuffer, safe to transfer. */
class Builder {
  buf = Buffer.allocUnsafe(64 * 1024);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  i32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  str(s: string): void {
    const n = utf8Length(s);
    this.ensure(4 + n);
    this.buf.writeInt32BE(n, this.pos);
    writeUtf8(this.buf, s, this.pos + 4);
    this.pos += 4 + n;
  }

  bytes(b: Buffer | null): void {
    if (b === null) {
      this.i32(-1);
      return;
    }
    this.ensure(4 + b.length);
    this.buf.writeInt32BE(b.length, this.pos);
    b.copy(this.buf, this.pos + 4);
    this.pos += 4 + b.length;
  }

  take(): ArrayBuffer {
    const ab = new ArrayBuffer(this.pos);
    new Uint8Array(ab).set(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return ab;
  }
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  get more(): boolean {
    return this.pos < this.buf.length;
  }
  u8(): number {
    return this.buf[this.pos++]!;
  }
  i32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  f64(): number {
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }
  str(): string {
    const n = this.i32();
    const s = readUtf8(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  /** A view into the transferred buffer: no copy. */
  bytes(): Buffer | null {
    const n = this.i32();
    if (n < 0) return null;
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

const F_UNIT = 1;
const F_BATCH = 2;
const F_RECONSUME = 4;
const F_MAX_RECONSUME = 8;
const F_PROPS = 16;
const F_BNAME = 32;

export class SendRecordWriter {
  private readonly b = new Builder();
  count = 0;

  add(ch: number, req: RemotingCommand, h: SendMessageRequestHeader): void {
    const b = this.b;
    b.i32(ch);
    b.i32(req.opaque);
    b.i32(req.code);
    b.i32(req.flag);
    b.i32(req.version);
    b.u8(req.serializeType);
    b.u8(
      (h.unitMode ? F_UNIT : 0) |
        (h.batch ? F_BATCH : 0) |
        (h.reconsumeTimes !== undefined ? F_RECONSUME : 0) |
        (h.maxReconsumeTimes !== undefined ? F_MAX_RECONSUME : 0) |
        (h.properties !== undefined ? F_PROPS : 0) |
        (h.bname !== undefined ? F_BNAME : 0),
    );
    b.i32(h.defaultTopicQueueNums);
    b.i32(h.queueId);
    b.i32(h.sysFlag);
    b.f64(h.bornTimestamp);
    b.i32(h.flag);
    b.i32(h.reconsumeTimes ?? 0);
    b.i32(h.maxReconsumeTimes ?? 0);
    b.str(req.language);
    b.str(h.producerGroup ?? '');
    b.str(h.topic);
    b.str(h.defaultTopic);
    if (h.properties !== undefined) b.str(h.properties);
    if (h.bname !== undefined) b.str(h.bname);
    b.bytes(req.body);
    this.count++;
  }

  take(): ArrayBuffer {
    this.count = 0;
    return this.b.take();
  }
}

const NO_EXT: Record<string, string> = Object.freeze({}) as Record<string, string>;

export function readSendRecords(
  ab: ArrayBuffer,
  each: (ch: number, cmd: PreDecodedSendCommand) => void,
): void {
  const r = new Reader(Buffer.from(ab));
  while (r.more) {
    const ch = r.i32();
    const opaque = r.i32();
    const code = r.i32();
    const flag = r.i32();
    const version = r.i32();
    const st = r.u8() as SerializeType;
    const f = r.u8();
    const defaultTopicQueueNums = r.i32();
    const queueId = r.i32();
    const sysFlag = r.i32();
    const bornTimestamp = r.f64();
    const msgFlag = r.i32();
    const reconsumeTimes = r.i32();
    const maxReconsumeTimes = r.i32();
    const language = r.str();
    const h: SendMessageRequestHeader = {
      producerGroup: r.str(),
      topic: r.str(),
      defaultTopic: r.str(),
      defaultTopicQueueNums,
      queueId,
      sysFlag,
      bornTimestamp,
      flag: msgFlag,
      properties: undefined,
      reconsumeTimes: f & F_RECONSUME ? reconsumeTimes : undefined,
      unitMode: (f & F_UNIT) !== 0,
      batch: (f & F_BATCH) !== 0,
      maxReconsumeTimes: f & F_MAX_RECONSUME ? maxReconsumeTimes : undefined,
    };
    if (f & F_PROPS) h.properties = r.str();
    if (f & F_BNAME) h.bname = r.str();
    const cmd = new PreDecodedSendCommand(code, language, version, opaque, flag, null, NO_EXT, r.bytes(), st);
    cmd.sendHeader = h;
    each(ch, cmd);
  }
}

/** Commands from the main thread to the worker (responses, oneway requests), all fields kept. */
export class CommandWriter {
  private readonly b = new Builder();
  count = 0;

  add(ch: number, cmd: RemotingCommand): void {
    const b = this.b;
    b.i32(ch);
    b.i32(cmd.code);
    b.i32(cmd.opaque);
    b.i32(cmd.flag);
    b.i32(cmd.version);
    b.u8(cmd.serializeType);
    b.str(cmd.language);
    if (cmd.remark === null) b.u8(0);
    else {
      b.u8(1);
      b.str(cmd.remark);
    }
    const ext = cmd.extFields;
    let n = 0;
    for (const _ in ext) n++;
    b.i32(n);
    for (const k in ext) {
      b.str(k);
      b.str(ext[k]!);
    }
    b.bytes(cmd.body);
    this.count++;
  }

  take(): ArrayBuffer {
    this.count = 0;
    return this.b.take();
  }
}

export function readCommands(ab: ArrayBuffer, each: (ch: number, cmd: RemotingCommand) => void): void {
  const r = new Reader(Buffer.from(ab));
  while (r.more) {
    const ch = r.i32();
    const code = r.i32();
    const opaque = r.i32();
    const flag = r.i32();
    const version = r.i32();
    const st = r.u8() as SerializeType;
    const language = r.str();
    const remark = r.u8() === 1 ? r.str() : null;
    const n = r.i32();
    const ext: Record<string, string> = {};
    for (let i = 0; i < n; i++) {
      const k = r.str();
      ext[k] = r.str();
    }
    each(ch, new RemotingCommand(code, language, version, opaque, flag, remark, ext, r.bytes(), st));
  }
}
