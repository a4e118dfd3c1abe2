/**
 * What the network worker and the broker's main thread say to each other. Commands cross as plain
 * objects (structured clone) in one message per event-loop turn; their bodies are copied once into a
 * single ArrayBuffer per message, which is transferred, not cloned (a body is usually a view into a
 * larger socket read buffer, and cloning a view would copy that whole buffer).
 */
import { RemotingCommand, type SerializeType } from '../../remoting/remoting-command.js';

export interface WireCommand {
  /** channel id */
  ch: number;
  code: number;
  language: string;
  version: number;
  opaque: number;
  flag: number;
  remark: string | null;
  ext: Record<string, string>;
  st: SerializeType;
  /** body offset in the batch's buffer, -1 when there is no body */
  bo: number;
  bl: number;
}

export type WorkerToMain =
  | { t: 'listening'; port: number }
  | { t: 'error'; message: string }
  | { t: 'connect'; ch: number; remote: string; local: string }
  | { t: 'close'; ch: number }
  | { t: 'idle'; ch: number }
  /** cmds (+ their bodies in buf): any request; sends: binary send records (binary-records.ts) */
  | { t: 'requests'; cmds: WireCommand[]; buf: ArrayBuffer; sends: ArrayBuffer | null }
  | { t: 'invoked'; id: number; cmd?: WireCommand; buf?: ArrayBuffer; error?: string }
  | { t: 'stopped' };

export type MainToWorker =
  /** binary commands (binary-records.ts CommandWriter): responses and oneway requests to write */
  | { t: 'send'; buf: ArrayBuffer }
  | { t: 'invoke'; id: number; cmd: WireCommand; buf: ArrayBuffer; timeoutMs: number }
  | { t: 'close'; ch: number }
  | { t: 'stop' };

/** Packs commands and their bodies for one postMessage; returns the buffer to transfer. */
export class WireBatch {
  readonly cmds: WireCommand[] = [];
  private readonly bodies: Buffer[] = [];
  private bytes = 0;

  get size(): number {
    return this.cmds.length;
  }

  add(ch: number, cmd: RemotingCommand): void {
    let bo = -1;
    let bl = 0;
    if (cmd.body !== null) {
      bo = this.bytes;
      bl = cmd.body.length;
      this.bodies.push(cmd.body);
      this.bytes += bl;
    }
    this.cmds.push({
      ch,
      code: cmd.code,
      language: cmd.language,
      version: cmd.version,
      opaque: cmd.opaque,
      flag: cmd.flag,
      remark: cmd.remark,
      ext: cmd.extFields,
      st: cmd.serializeType,
      bo,
      bl,
    });
  }

  /** One fresh ArrayBuffer holding every body (transferable: nothing else refers to it). */
  takeBuffer(): ArrayBuffer {
    const ab = new ArrayBuffer(this.bytes);
    const u8 = new Uint8Array(ab);
    let at = 0;
    for (const b of this.bodies) {
      u8.set(b, at);
      at += b.length;
    }
    return ab;
  }
}

export function toCommand(w: WireCommand, buf: ArrayBuffer): RemotingCommand {
  return new RemotingCommand(
    w.code,
    w.language,
    w.version,
    w.opaque,
    w.flag,
    w.remark,
    w.ext,
    w.bo < 0 ? null : Buffer.from(buf, w.bo, w.bl),
    w.st,
  );
}
