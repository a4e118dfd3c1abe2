import type { MappedFile } from './mapped-file.js';
import type { DispatchRequest, PutMessageResult } from './put-message-status.js';

/** Encoding space: a Buffer and a DataView over it (DataView stores are inlined by V8). */
export class Chunk {
  readonly dv: DataView;
  pos = 0;
  constructor(
    readonly buf: Buffer,
    /** Names the chunk to the write thread. */
    readonly id = 0,
  ) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
}

export const CHUNK_SIZE = 256 * 1024;
const POOL_MAX = 16;

/** Where chunks live when a write thread shares them: it learns of each new one and of each let go. */
export interface SharedChunkHost {
  registerChunk(c: Chunk, sab: SharedArrayBuffer): void;
  dropChunk(c: Chunk): void;
}

/** Reuses encoding chunks once their write is done, so the hot path allocates no big buffers. */
export class ChunkPool {
  private readonly free: Chunk[] = [];
  private nextId = 1;

  /** With a host, chunks are SharedArrayBuffers the write thread reads. */
  constructor(private readonly shared?: SharedChunkHost) {}

  take(minSize: number): Chunk {
    if (minSize <= CHUNK_SIZE) {
      const c = this.free.pop();
      if (c) {
        c.pos = 0;
        return c;
      }
      return this.create(CHUNK_SIZE);
    }
    return this.create(minSize);
  }

  give(c: Chunk): void {
    if (c.buf.length === CHUNK_SIZE && this.free.length < POOL_MAX) this.free.push(c);
    else this.shared?.dropChunk(c);
  }

  private create(size: number): Chunk {
    if (!this.shared) return new Chunk(Buffer.allocUnsafe(size));
    const sab = new SharedArrayBuffer(size);
    const c = new Chunk(Buffer.from(sab), this.nextId++);
    this.shared.registerChunk(c, sab);
    return c;
  }
}

/** Bytes of one chunk that land contiguously in one file. */
export interface Segment {
  file: MappedFile;
  filePos: number;
  chunk: Chunk;
  start: number;
  end: number;
}

export type PutWaiter = (r: PutMessageResult) => void;

const noop: PutWaiter = () => {};

/**
 * Everything appended in one turn of the event loop: encoded bytes (segments), what dispatch needs
 * for each message (requests, in commit log order), and the callers to answer once the bytes are
 * written (ASYNC_FLUSH) or flushed (SYNC_FLUSH).
 */
export class WriteBatch {
  readonly segments: Segment[] = [];
  readonly chunks: Chunk[] = [];
  readonly requests: DispatchRequest[] = [];
  /** Body CRCs left to the write thread: per message chunk id, CRC position, body start, body length. */
  readonly crcJobs: number[] = [];
  readonly waiters: PutWaiter[] = [];
  readonly results: PutMessageResult[] = [];
  /** Per waiter: false when the message said WAIT=false (answer on write even with SYNC_FLUSH). */
  readonly waitFlush: boolean[] = [];
  bytes = 0;
  endOffset: number;
  lastStoreTimestamp = 0;

  constructor(
    readonly startOffset: number,
    /** Store time of every message of the batch. */
    readonly storeTimestamp: number,
  ) {
    this.endOffset = startOffset;
  }

  addWaiter(resolve: PutWaiter, result: PutMessageResult, waitFlush: boolean): void {
    this.waiters.push(resolve);
    this.results.push(result);
    this.waitFlush.push(waitFlush);
  }

  /** SYNC_FLUSH: answers now the callers that said WAIT=false; true when some caller still waits. */
  resolveNoWait(): boolean {
    let someWait = false;
    for (let i = 0; i < this.waiters.length; i++) {
      if (this.waitFlush[i]) {
        someWait = true;
        continue;
      }
      this.waiters[i]!(this.results[i]!);
      this.waiters[i] = noop;
    }
    return someWait;
  }

  /** syncFlushTimeout passed: the callers still waiting for the fsync get FLUSH_DISK_TIMEOUT. */
  resolveFlushTimeout(): void {
    for (let i = 0; i < this.results.length; i++) {
      const r = this.results[i]!;
      if (this.waitFlush[i] && r.status === 'PUT_OK') r.status = 'FLUSH_DISK_TIMEOUT';
    }
    this.resolveAll();
  }

  /** Answers every caller with its own result (the status may have been changed to an error). */
  resolveAll(): void {
    for (let i = 0; i < this.waiters.length; i++) this.waiters[i]!(this.results[i]!);
  }
}
