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
export class CommitLogReadCache {
  private readonly buffers: (Buffer | undefined)[] = [];
  private spare: Buffer | undefined;
  private readonly chunkOf: number[] = [];
  private readonly fileOf: (MappedFile | undefined)[] = [];
  /** Chunk number -> slot. */
  private readonly slotOf = new Map<number, number>();
  /** The slot the next load takes (the oldest loaded). */
  private nextSlot = 0;
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
    const slot = this.slotOf.get(chunk);
    if (slot !== undefined) {
      if (this.fileOf[slot]!.isAvailable()) return this.buffers[slot];
      this.evict(slot);
      return undefined;
    }
    // loaded into the spare buffer first: a chunk that cannot be read (the one being written, as a
    // pull at the tail asks for) must not cost a cached one its place
    const into = this.spare ?? Buffer.allocUnsafeSlow(READ_CACHE_CHUNK_BYTES);
    const file = this.load(chunk * READ_CACHE_CHUNK_BYTES, into);
    if (file === undefined) {
      this.spare = into;
      return undefined;
    }
    this.loads++;
    const s = this.nextSlot;
    this.nextSlot = (s + 1) % CHUNKS;
    this.evict(s);
    this.spare = this.buffers[s];
    this.buffers[s] = into;
    this.chunkOf[s] = chunk;
    this.fileOf[s] = file;
    this.slotOf.set(chunk, s);
    return into;
  }

  private evict(slot: number): void {
    const chunk = this.chunkOf[slot];
    if (chunk !== undefined && this.slotOf.get(chunk) === slot) this.slotOf.delete(chunk);
    this.chunkOf[slot] = -1;
    this.fileOf[slot] = undefined;
  }
}
