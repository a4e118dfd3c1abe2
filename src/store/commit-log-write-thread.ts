import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../common/logger.js';
import { crc32Masked } from '../common/message-decoder.js';
import type { WriteWorkerRequest, WriteWorkerResponse } from './commit-log-write-worker.js';
import type { Chunk, WriteBatch } from './write-batch.js';

const WORKER_URL = new URL('./commit-log-write-worker.js', import.meta.url);

/**
 * The main-thread side of the CommitLog's write thread (commit-log-write-worker.ts). Batches go over
 * in commit log order and come back in the same order. Only the compiled worker runs: from sources
 * (unit tests) there is none, and the CommitLog writes on the libuv pool as before.
 */
export class CommitLogWriteThread {
  private readonly worker: Worker;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private dead: Error | undefined;

  static available(): boolean {
    return WORKER_URL.protocol === 'file:' && fs.existsSync(fileURLToPath(WORKER_URL));
  }

  constructor(private readonly log: Logger) {
    this.worker = new Worker(WORKER_URL);
    this.worker.unref();
    this.worker.on('message', (m: WriteWorkerResponse) => {
      const p = this.pending.get(m.seq);
      if (!p) return;
      this.pending.delete(m.seq);
      if (m.error === undefined) p.resolve();
      else p.reject(new Error(m.error));
    });
    this.worker.on('error', (err) => this.die(err));
    this.worker.on('exit', (code) => this.die(new Error(`CommitLog write thread exited (${code})`)));
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  /** A new SharedArrayBuffer chunk the CommitLog will encode into. */
  registerChunk(c: Chunk, sab: SharedArrayBuffer): void {
    if (this.alive) this.post({ type: 'chunk', id: c.id, sab });
  }

  dropChunk(c: Chunk): void {
    if (this.alive) this.post({ type: 'drop', id: c.id });
  }

  /** Fills the batch's CRCs and writes its segments; resolves once they are in the files. */
  write(batch: WriteBatch): Promise<void> {
    if (this.dead) return Promise.reject(this.dead);
    const seq = ++this.seq;
    const segments: number[] = [];
    for (const s of batch.segments) segments.push(s.chunk.id, s.start, s.end, s.file.fd, s.filePos);
    return new Promise<void>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      // typed arrays are cloned with one copy; a plain array of numbers element by element (2x the cost)
      this.post({ type: 'write', seq, crcJobs: Int32Array.from(batch.crcJobs), segments });
    });
  }

  terminate(): Promise<void> {
    this.die(new Error('CommitLog write thread stopped'));
    return this.worker.terminate().then(() => undefined);
  }

  private post(m: WriteWorkerRequest): void {
    this.worker.postMessage(m);
  }

  private die(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    if (err.message !== 'CommitLog write thread stopped')
      this.log.error({ err }, 'CommitLog write thread failed: writing on the event loop from now on');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/** The write thread's CRC work, on this thread (no thread, or it died with the batch's CRCs undone). */
export function fillCrcsHere(batch: WriteBatch): void {
  const jobs = batch.crcJobs;
  if (jobs.length === 0) return;
  for (let i = 0; i < jobs.length; i += 4) {
    const chunk = batch.chunks.find((c) => c.id === jobs[i])!;
    const bodyStart = jobs[i + 2]!;
    chunk.dv.setInt32(jobs[i + 1]!, crc32Masked(chunk.buf.subarray(bodyStart, bodyStart + jobs[i + 3]!)));
  }
  jobs.length = 0;
}
