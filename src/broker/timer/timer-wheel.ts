import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { readLong, writeLong } from './timer-log.js';

/** TimerWheel's Slot.SIZE: timeMs, firstPos, lastPos (int64 each), num, magic (int32 each). */
export const SLOT_SIZE = 32;
const PAGE = 4096;

export interface Slot {
  /** The slot's time; -1 when the slot holds nothing for the time asked. */
  timeMs: number;
  firstPos: number;
  lastPos: number;
  num: number;
}

/**
 * TimerWheel (RocketMQ 5 store/timer/TimerWheel): `slotsTotal` slots of SLOT_SIZE bytes, one per
 * `precisionMs`, reused every lap; a slot tells the first and last TimerLog unit linked for its
 * time (the units chain backwards through prevPos). The whole wheel is a fixed-size buffer (RocketMQ
 * maps the file), written back to storePathRootDir/timerwheel at each checkpoint, dirty pages only.
 * Its size depends on the slot count, never on the number of timers.
 */
export class TimerWheel {
  readonly path: string;
  private readonly buf: Buffer;
  private readonly dirty: Uint8Array;
  private anyDirty = false;
  private fh: FileHandle | undefined;
  /** True when load found no usable wheel file: every unit of the TimerLog must be linked again. */
  rebuilt = false;

  constructor(
    rootDir: string,
    readonly slotsTotal: number,
    readonly precisionMs: number,
  ) {
    this.path = join(rootDir, 'timerwheel');
    this.buf = Buffer.alloc(slotsTotal * SLOT_SIZE);
    this.dirty = new Uint8Array(Math.ceil(this.buf.length / PAGE));
  }

  get spanMs(): number {
    return this.slotsTotal * this.precisionMs;
  }

  async load(): Promise<void> {
    try {
      this.fh = await open(this.path, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.fh = await open(this.path, 'w+');
    }
    const { size } = await this.fh.stat();
    this.rebuilt = size !== this.buf.length;
    if (this.rebuilt) {
      // a new wheel, or one from another slot count: start empty (recovery relinks from the TimerLog)
      await this.fh.truncate(0);
      await this.fh.truncate(this.buf.length);
      return;
    }
    let done = 0;
    while (done < this.buf.length) {
      const { bytesRead } = await this.fh.read(this.buf, done, this.buf.length - done, done);
      if (bytesRead <= 0) break;
      done += bytesRead;
    }
  }

  private index(timeMs: number): number {
    return (Math.floor(timeMs / this.precisionMs) % this.slotsTotal) * SLOT_SIZE;
  }

  /** The slot for `timeMs`; timeMs -1 when what the wheel holds there belongs to another lap. */
  getSlot(timeMs: number): Slot {
    const at = this.index(timeMs);
    const t = readLong(this.buf, at);
    if (t !== timeMs) return { timeMs: -1, firstPos: -1, lastPos: -1, num: 0 };
    return {
      timeMs: t,
      firstPos: readLong(this.buf, at + 8),
      lastPos: readLong(this.buf, at + 16),
      num: this.buf.readInt32BE(at + 24),
    };
  }

  /** Last unit linked for `timeMs`, -1 when none (the hot path of enqueue: no object). */
  lastPosOf(timeMs: number): number {
    const at = this.index(timeMs);
    return readLong(this.buf, at) === timeMs ? readLong(this.buf, at + 16) : -1;
  }

  putSlot(timeMs: number, firstPos: number, lastPos: number, num: number): void {
    const at = this.index(timeMs);
    writeLong(this.buf, at, timeMs);
    writeLong(this.buf, at + 8, firstPos);
    writeLong(this.buf, at + 16, lastPos);
    this.buf.writeInt32BE(num, at + 24);
    this.buf.writeInt32BE(0, at + 28);
    this.dirty[Math.floor(at / PAGE)] = 1;
    this.anyDirty = true;
  }

  /** Links the unit at `pos` as the newest of `timeMs`'s slot. */
  link(timeMs: number, pos: number): void {
    const s = this.getSlot(timeMs);
    if (s.timeMs === -1) this.putSlot(timeMs, pos, pos, 1);
    else this.putSlot(timeMs, s.firstPos, pos, s.num + 1);
  }

  /**
   * Lowest firstPos of the slots live in [fromMs, fromMs + span): TimerLog files below it hold
   * nothing still due (RocketMQ's checkPhyPos walks the same range).
   */
  minFirstPos(fromMs: number, fallback: number): number {
    let min = fallback;
    const base = Math.floor(fromMs / this.precisionMs);
    for (let i = 0; i < this.slotsTotal; i++) {
      const at = i * SLOT_SIZE;
      const t = readLong(this.buf, at);
      if (t <= 0) continue;
      const k = Math.floor(t / this.precisionMs);
      if (k < base || k >= base + this.slotsTotal) continue;
      const first = readLong(this.buf, at + 8);
      if (first >= 0 && first < min) min = first;
    }
    return min;
  }

  /** Writes the dirty pages (runs of them in one call each) and fdatasyncs. */
  async flush(): Promise<void> {
    if (!this.fh || !this.anyDirty) return;
    this.anyDirty = false;
    const pages = this.dirty.length;
    for (let p = 0; p < pages; ) {
      if (this.dirty[p] === 0) {
        p++;
        continue;
      }
      let q = p;
      while (q < pages && this.dirty[q] === 1) this.dirty[q++] = 0;
      const start = p * PAGE;
      const end = Math.min(q * PAGE, this.buf.length);
      let done = 0;
      while (done < end - start) {
        const { bytesWritten } = await this.fh.write(
          this.buf,
          start + done,
          end - start - done,
          start + done,
        );
        done += bytesWritten;
      }
      p = q;
    }
    await this.fh.datasync();
  }

  async close(save = true): Promise<void> {
    if (save) await this.flush();
    await this.fh?.close();
    this.fh = undefined;
  }
}
