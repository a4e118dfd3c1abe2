import { mkdirSync, readdirSync, readSync } from 'node:fs';
import { type FileHandle, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One TimerLog unit (RocketMQ 5's TimerLog.UNIT_SIZE, 52 bytes), big endian:
 *   0 size (52) | 4 prevPos (int64, -1 for none) | 12 magic | 16 slot time ms (int64)
 *   24 delayed time: deliver ms - slot time (int32) | 28 CommitLog offset (int64) | 36 message size
 *   40 check: a hash of the other fields (RocketMQ: the real topic's hash) | 44 timer ConsumeQueue
 *   offset of the entry (int64; RocketMQ: reserved)
 * The queue offset lets recovery tell how far enqueue got without reading the CommitLog
 * (RocketMQ's reviseQueueOffset reads the message instead); the check rejects torn tails.
 */
export const UNIT_SIZE = 52;
/** TimerLog.MAGIC_DEFAULT / MAGIC_ROLL. */
export const MAGIC_DEFAULT = 1;
export const MAGIC_ROLL = 1 << 1;
/** File sizes are multiples of this (1260 units), so that neither units nor read blocks straddle files. */
export const BLOCK_SIZE = UNIT_SIZE * 1260;
/**
 * Reads come from cached blocks of 126 units (6,552 bytes). The units of one slot are scattered over
 * the log (linked in arrival order, due in any order), so the cache is what makes a walk cheap: 64 MiB
 * hold the units of a million timers; beyond that it is an LRU, and memory stays flat.
 */
const READ_BLOCK = UNIT_SIZE * 126;
const CACHED_BLOCKS = Math.floor((64 * 1024 * 1024) / READ_BLOCK);
const TWO_POW_32 = 0x1_0000_0000;

export function writeLong(buf: Buffer, at: number, v: number): void {
  buf.writeInt32BE(Math.floor(v / TWO_POW_32), at);
  buf.writeUInt32BE(v >>> 0, at + 4);
}

export function readLong(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_POW_32 + buf.readUInt32BE(at + 4);
}

export interface TimerUnit {
  prevPos: number;
  magic: number;
  slotTimeMs: number;
  deliverMs: number;
  offsetPy: number;
  sizePy: number;
  queueOffset: number;
}

function unitCheck(buf: Buffer, at: number): number {
  // FNV-1a over the 10 int32 words other than the check itself
  let h = 0x811c9dc5;
  for (let p = at; p < at + UNIT_SIZE; p += 4) {
    if (p === at + 40) continue;
    h = Math.imul(h ^ buf.readInt32BE(p), 0x01000193);
  }
  return h | 0;
}

export function encodeUnit(buf: Buffer, at: number, u: TimerUnit): void {
  buf.writeInt32BE(UNIT_SIZE, at);
  writeLong(buf, at + 4, u.prevPos);
  buf.writeInt32BE(u.magic, at + 12);
  writeLong(buf, at + 16, u.slotTimeMs);
  // past-due units linked long after their time: the delta is clamped (only its sign matters then)
  buf.writeInt32BE(Math.max(-0x8000_0000, Math.min(0x7fff_ffff, u.deliverMs - u.slotTimeMs)), at + 24);
  writeLong(buf, at + 28, u.offsetPy);
  buf.writeInt32BE(u.sizePy, at + 36);
  writeLong(buf, at + 44, u.queueOffset);
  buf.writeInt32BE(unitCheck(buf, at), at + 40);
}

/**
 * The unit at `at`, or undefined when the bytes there are not a whole (and, with `verify`, intact)
 * unit. Recovery verifies every unit past the checkpoint; the walk reads units this process wrote or
 * recovery verified, and skips the check (a third of a walk's cost).
 */
export function decodeUnit(buf: Buffer, at: number, verify = true): TimerUnit | undefined {
  if (at + UNIT_SIZE > buf.length || buf.readInt32BE(at) !== UNIT_SIZE) return undefined;
  if (verify && buf.readInt32BE(at + 40) !== unitCheck(buf, at)) return undefined;
  const slotTimeMs = readLong(buf, at + 16);
  return {
    prevPos: readLong(buf, at + 4),
    magic: buf.readInt32BE(at + 12),
    slotTimeMs,
    deliverMs: slotTimeMs + buf.readInt32BE(at + 24),
    offsetPy: readLong(buf, at + 28),
    sizePy: buf.readInt32BE(at + 36),
    queueOffset: readLong(buf, at + 44),
  };
}

/**
 * TimerLog (RocketMQ 5 store/timer/TimerLog): an append-only log of fixed-size units in files named
 * by their 20-digit start position under storePathRootDir/timerlog. Units never straddle files (the
 * file size is a multiple of BLOCK_SIZE). Reads go through a small LRU of blocks so that walking a
 * slot's chain backwards costs one read per block, not per unit; its size, not the number of
 * pending timers, bounds the memory used.
 */
export class TimerLog {
  readonly dir: string;
  readonly fileSize: number;
  private readonly files = new Map<number, FileHandle>();
  private readonly dirtyFiles = new Set<number>();
  private readonly cache = new Map<number, Buffer>();
  /** Position of the next unit. */
  writePos = 0;
  /** Start of the first file still present. */
  minPos = 0;

  constructor(rootDir: string, fileSize: number) {
    this.dir = join(rootDir, 'timerlog');
    this.fileSize = Math.max(BLOCK_SIZE, Math.floor(fileSize / BLOCK_SIZE) * BLOCK_SIZE);
    mkdirSync(this.dir, { recursive: true });
  }

  private fileStarts(): number[] {
    return readdirSync(this.dir)
      .filter((n) => /^\d{20}$/.test(n))
      .map(Number)
      .sort((a, b) => a - b);
  }

  private fileName(index: number): string {
    return join(this.dir, String(index * this.fileSize).padStart(20, '0'));
  }

  private async handle(index: number, create: boolean): Promise<FileHandle | undefined> {
    let fh = this.files.get(index);
    if (!fh) {
      try {
        fh = await open(this.fileName(index), 'r+');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        if (!create) return undefined;
        fh = await open(this.fileName(index), 'w+');
      }
      this.files.set(index, fh);
    }
    return fh;
  }

  /**
   * Finds the end of the intact units, scanning from `from` (the last flushed position): the log may
   * end in a torn or unwritten tail after a crash. Calls `onUnit` for every unit found after `from`.
   */
  async load(from: number, onUnit: (pos: number, u: TimerUnit) => void): Promise<void> {
    const starts = this.fileStarts();
    if (starts.length === 0) {
      this.writePos = this.minPos = Math.max(0, Math.floor(from / this.fileSize) * this.fileSize);
      return;
    }
    this.minPos = starts[0]!;
    const last = starts[starts.length - 1]!;
    let pos = Math.max(this.minPos, Math.min(from, last + this.fileSize));
    pos -= pos % UNIT_SIZE;
    const buf = Buffer.allocUnsafe(BLOCK_SIZE);
    for (;;) {
      const index = Math.floor(pos / this.fileSize);
      const fh = await this.handle(index, false);
      if (!fh) break;
      const want = Math.min(BLOCK_SIZE, (index + 1) * this.fileSize - pos);
      const { bytesRead } = await fh.read(buf, 0, want, pos - index * this.fileSize);
      let at = 0;
      for (; at + UNIT_SIZE <= bytesRead; at += UNIT_SIZE) {
        const u = decodeUnit(buf, at);
        if (!u) break;
        onUnit(pos + at, u);
      }
      pos += at;
      if (at < want) break;
    }
    this.writePos = pos;
  }

  /** Appends whole units (written in one call per file); the caller has already linked them. */
  async append(units: Buffer): Promise<void> {
    const start = this.writePos;
    try {
      await this.appendAt(units);
    } catch (err) {
      // the next append starts over at the same place (the failed units are written again)
      this.writePos = start;
      throw err;
    }
  }

  private async appendAt(units: Buffer): Promise<void> {
    let off = 0;
    while (off < units.length) {
      const pos = this.writePos;
      const index = Math.floor(pos / this.fileSize);
      const inFile = pos - index * this.fileSize;
      const len = Math.min(units.length - off, this.fileSize - inFile);
      const fh = (await this.handle(index, true))!;
      let done = 0;
      while (done < len) {
        const { bytesWritten } = await fh.write(units, off + done, len - done, inFile + done);
        done += bytesWritten;
      }
      this.dirtyFiles.add(index);
      // a cached block holding the old tail would hide the new units
      const firstBlock = Math.floor(pos / READ_BLOCK);
      const lastBlock = Math.floor((pos + len - 1) / READ_BLOCK);
      for (let b = firstBlock; b <= lastBlock; b++) this.cache.delete(b);
      this.writePos = pos + len;
      off += len;
    }
  }

  /**
   * The unit at `pos` (written before), or undefined when its file is gone or the bytes are bad. A
   * miss is a synchronous page-cache copy of one block (as ConsumeQueue.readEntries): a walk needs the
   * unit before it knows the next position, and a libuv round trip per block costs far more.
   */
  readUnit(pos: number): TimerUnit | undefined {
    const block = Math.floor(pos / READ_BLOCK);
    let buf = this.cache.get(block);
    if (buf) {
      this.cache.delete(block);
      this.cache.set(block, buf);
    } else {
      if (pos < this.minPos || pos >= this.writePos) return undefined;
      const index = Math.floor((block * READ_BLOCK) / this.fileSize);
      const fh = this.files.get(index);
      if (!fh) return undefined;
      const b = Buffer.allocUnsafe(READ_BLOCK);
      const n = readSync(fh.fd, b, 0, READ_BLOCK, block * READ_BLOCK - index * this.fileSize);
      buf = b.subarray(0, n);
      this.cache.set(block, buf);
      if (this.cache.size > CACHED_BLOCKS) this.cache.delete(this.cache.keys().next().value!);
    }
    return decodeUnit(buf, pos - block * READ_BLOCK, false);
  }

  /** Opens the files present (after load), so that readUnit finds every one of them open. */
  async openAll(): Promise<void> {
    for (const start of this.fileStarts()) await this.handle(start / this.fileSize, false);
  }

  /** fdatasync of every file written since the last flush. */
  async flush(): Promise<void> {
    const idx = [...this.dirtyFiles];
    this.dirtyFiles.clear();
    for (const i of idx) await this.files.get(i)?.datasync();
  }

  /** Deletes the files that end at or before `pos` (no live slot points into them). */
  async deleteFilesBefore(pos: number): Promise<number> {
    let deleted = 0;
    const current = Math.floor(this.writePos / this.fileSize);
    for (const start of this.fileStarts()) {
      const index = start / this.fileSize;
      if (start + this.fileSize > pos || index >= current) break;
      const fh = this.files.get(index);
      this.files.delete(index);
      this.dirtyFiles.delete(index);
      await fh?.close();
      await unlink(this.fileName(index));
      for (const b of [...this.cache.keys()])
        if (b * READ_BLOCK < start + this.fileSize) this.cache.delete(b);
      this.minPos = start + this.fileSize;
      deleted++;
    }
    return deleted;
  }

  async close(): Promise<void> {
    await this.flush();
    for (const fh of this.files.values()) await fh.close();
    this.files.clear();
    this.cache.clear();
  }
}
