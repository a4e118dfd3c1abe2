import type { MappedFile } from './mapped-file.js';

/** Chunks are aligned to this in the CommitLog; a file's size must be a multiple for them to be used. */
export const READ_CACHE_CHUNK_BYTES = 256 * 1024;
const CHUNKS = 16;

/** Reads the written chunk at `start` into `into` (its whole length); its file, or undefined. */
export type ChunkLoader = (start: number, into: Buffer) => MappedFile | undefined;

/**
 * The last few 256 KiB chunks of written CommitLog that pulls read, kept in memory. A topic's queues
 * are interleaved in the CommitLog, so the 32 messages of one queue's pull are spread over ~8x their
 * size, and each queue's pull read that whole span again: with 8 queues every byte was read from the
 * file 8 times (a ~280 KiB pread to keep 33 KiB, ~20 us of a pull's ~150). Here each chunk is read
 * once and every pull copies its messages out of it. Only chunks whose every byte is written are
 * kept: written CommitLog bytes never change, and a chunk of a file retention deleted is not served.
 */
/** A cached chunk: its number, the file it was read from, its bytes. */
interface Slot {
  chunk: number;
  file: MappedFile;
  buf: Buffer;
}

export class CommitLogReadCache {
  /** Loaded chunks, oldest replaced first. */
  private readonly slots: Slot[] = [];
  /** Chunk number -> its slot. */
  private readonly byChunk = new Map<number, Slot>();
  /** The slot the next load replaces, once all CHUNKS are used. */
  private nextSlot = 0;
  /** The buffer the next load reads into (a failed load keeps it). */
  private spare: Buffer | undefined;
  /** Chunks read from the file (tests, stats). */
  loads = 0;

  constructor(private readonly load: ChunkLoader) {}

  /**
   * Copies [offset, offset + len) into `into` at `intoOff` from cached chunks, reading the missing
   * ones; false when some chunk of the range is not all written or its file is gone (the caller
   * reads the range the general way).
   */
  copy(offset: number, len: number, into: Buffer, intoOff: number): boolean {
    let done = 0;
    while (done < len) {
      const at = offset + done;
      const chunk = Math.floor(at / READ_CACHE_CHUNK_BYTES);
      const buf = this.chunk(chunk);
      if (buf === undefined) return false;
      const from = at - chunk * READ_CACHE_CHUNK_BYTES;
      const n = Math.min(len - done, READ_CACHE_CHUNK_BYTES - from);
      buf.copy(into, intoOff + done, from, from + n);
      done += n;
    }
    return true;
  }

  private chunk(chunk: number): Buffer | undefined {
    const cached = this.byChunk.get(chunk);
    if (cached !== undefined) {
      if (cached.file.isAvailable()) return cached.buf;
      this.byChunk.delete(chunk);
      return undefined;
    }
    // loaded into the spare buffer first: a chunk that cannot be read (the one being written, as a
    // pull at the tail asks for) must not cost a cached one its place
    const buf = this.spare ?? Buffer.allocUnsafeSlow(READ_CACHE_CHUNK_BYTES);
    const file = this.load(chunk * READ_CACHE_CHUNK_BYTES, buf);
    if (file === undefined) {
      this.spare = buf;
      return undefined;
    }
    this.loads++;
    const slot: Slot = { chunk, file, buf };
    if (this.slots.length < CHUNKS) {
      this.spare = undefined;
      this.slots.push(slot);
    } else {
      const old = this.slots[this.nextSlot]!;
      if (this.byChunk.get(old.chunk) === old) this.byChunk.delete(old.chunk);
      this.spare = old.buf;
      this.slots[this.nextSlot] = slot;
      this.nextSlot = (this.nextSlot + 1) % CHUNKS;
    }
    this.byChunk.set(chunk, slot);
    return buf;
  }
}
