/**
 * Read-ahead for ConsumeQueue entries. A consumer working through a backlog reads its queue one pull
 * at a time, 32 entries (640 bytes) a pull, and each read was a pread of its own: 5-20 us of the event
 * loop's time a pull on these machines, for bytes the next pulls were about to ask for. A read that
 * the file can satisfy further goes 16 KiB (819 entries) ahead instead, and the pulls that follow are
 * copied from memory.
 *
 * The read-ahead buffers are 64 slots shared by every queue of the process (1 MiB whatever the number
 * of queues), taken in turn; a queue keeps reusing the slot it holds. Only written entries are read
 * (below the file's committed position), and written entries never change, so a slot stays right
 * until its queue is truncated (drop) or its file deleted (checked on every hit).
 */
import type { MappedFile } from './mapped-file.js';

export const READ_AHEAD_BYTES = 16 * 1024;
const SLOT_COUNT = 64;

class Slot {
  owner: ConsumeQueueReadAhead | undefined;
  file: MappedFile | undefined;
  /** Logic offset (bytes) of buf[0]. */
  from = 0;
  len = 0;
  private bytes: Buffer | undefined;

  get buf(): Buffer {
    this.bytes ??= Buffer.allocUnsafeSlow(READ_AHEAD_BYTES);
    return this.bytes;
  }
}

const slots: Slot[] = Array.from({ length: SLOT_COUNT }, () => new Slot());
let nextSlot = 0;

/** One queue's handle on the shared slots. */
export class ConsumeQueueReadAhead {
  private slot: Slot | undefined;

  /** A copy of [logic, logic + len) when a slot of this queue holds all of it, else undefined. */
  get(logic: number, len: number): Buffer | undefined {
    const s = this.slot;
    if (s === undefined || s.owner !== this || logic < s.from || logic + len > s.from + s.len)
      return undefined;
    if (!s.file!.isAvailable()) {
      this.drop();
      return undefined;
    }
    const out = Buffer.allocUnsafe(len);
    s.buf.copy(out, 0, logic - s.from, logic - s.from + len);
    return out;
  }

  /**
   * Reads `len` bytes (at most READ_AHEAD_BYTES) of `file` at `pos` (logic offset `logic`) into a slot;
   * false when the read came short (the caller then reads the usual way).
   */
  load(file: MappedFile, logic: number, pos: number, len: number): boolean {
    let s = this.slot;
    if (s === undefined || s.owner !== this) {
      s = slots[nextSlot]!;
      nextSlot = (nextSlot + 1) % SLOT_COUNT;
      if (s.owner) s.owner.slot = undefined;
      s.owner = this;
      this.slot = s;
    }
    s.len = 0;
    const n = file.readSync(s.buf, 0, len, pos);
    if (n !== len) {
      this.drop();
      return false;
    }
    s.file = file;
    s.from = logic;
    s.len = len;
    return true;
  }

  /** Forgets what this queue read ahead (its entries were cut, or the queue is going away). */
  drop(): void {
    const s = this.slot;
    if (s !== undefined && s.owner === this) {
      s.owner = undefined;
      s.file = undefined;
      s.len = 0;
    }
    this.slot = undefined;
  }
}
