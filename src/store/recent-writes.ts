import type { Chunk, WriteBatch } from './write-batch.js';

interface Span {
  /** CommitLog offsets [offset, end). */
  offset: number;
  end: number;
  chunk: Chunk;
  /** Where `offset` is in the chunk. */
  start: number;
}

interface Held {
  spans: number;
  chunks: Chunk[];
}

/**
 * The encoding chunks of the last written batches, kept (instead of going straight back to the pool)
 * so that reads of what was just written are a copy from memory, not a pread: RocketMQ reads its
 * CommitLog through mmap, where a recent page is a memory access; here a pread of a just-written
 * page cost 5-7 us (END_TRANSACTION's read of its half, a caught-up consumer's pull). The bytes are
 * the file's: a batch is added once its write completed, in CommitLog order, and written chunks are
 * never changed. Memory: at most `limitBytes` of chunks (their capacity) beyond the pool's.
 */
export class RecentWrites {
  private readonly spans: Span[] = [];
  private readonly held: Held[] = [];
  private heldBytes = 0;

  constructor(
    private readonly limitBytes: number,
    private readonly release: (c: Chunk) => void,
  ) {}

  /** A written batch: its segments become readable, the oldest batches go back to the pool. */
  add(batch: WriteBatch): void {
    for (const s of batch.segments) {
      const offset = s.file.fileFromOffset + s.filePos;
      this.spans.push({ offset, end: offset + (s.end - s.start), chunk: s.chunk, start: s.start });
    }
    this.held.push({ spans: batch.segments.length, chunks: batch.chunks });
    for (const c of batch.chunks) this.heldBytes += c.buf.length;
    while (this.held.length > 1 && this.heldBytes > this.limitBytes) this.evictOldest();
  }

  /** Copies [offset, offset + len) into `into` when every byte of it is held; false otherwise. */
  read(offset: number, into: Buffer, intoOff: number, len: number): boolean {
    const spans = this.spans;
    if (spans.length === 0 || offset < spans[0]!.offset || offset + len > spans[spans.length - 1]!.end)
      return false;
    // the newest spans are the likeliest: search from the end
    let i = spans.length - 1;
    while (i >= 0 && spans[i]!.offset > offset) i--;
    let at = offset;
    let left = len;
    let out = intoOff;
    for (; i < spans.length && left > 0; i++) {
      const s = spans[i]!;
      if (at < s.offset || at >= s.end) return false; // a gap (a blank file tail, a failed write)
      const n = Math.min(left, s.end - at);
      const from = s.start + (at - s.offset);
      s.chunk.buf.copy(into, out, from, from + n);
      at += n;
      out += n;
      left -= n;
    }
    return left === 0;
  }

  /** Everything back to the pool (shutdown). */
  clear(): void {
    while (this.held.length > 0) this.evictOldest();
  }

  private evictOldest(): void {
    const h = this.held.shift()!;
    this.spans.splice(0, h.spans);
    for (const c of h.chunks) {
      this.heldBytes -= c.buf.length;
      this.release(c);
    }
  }
}
