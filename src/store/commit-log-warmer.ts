import type { Logger } from '../common/logger.js';
import type { MappedFileQueue } from './mapped-file-queue.js';

/** One read on the libuv pool at a time, of this many bytes. */
const READ_BYTES = 1024 * 1024;

/**
 * Reads the CommitLog ahead of its writer (commitLogWarmAheadBytes), on the libuv pool, so that the
 * page-cache pages the event loop's next writes fill already exist: in the spirit of RocketMQ's
 * warmMapedFileEnable, which touches a new mapped file's pages before it is used.
 *
 * Why: on these VMs a page the guest has not touched lately costs the host a fault on its first
 * write. A broker's first ~2.5 GB of page cache come from recently freed, still backed memory; past
 * that a CommitLog pwrite cost ~3 us per KiB instead of ~0.3 (a 45 s `bench producer` ran at ~86k
 * msgs/s against ~114k for 15 s, the copy into the page cache 32% of the event loop). Reading a hole
 * makes the kernel allocate and zero those pages on the reading thread; a write into them then costs
 * ~0.3 us per KiB at any size of the page cache.
 *
 * Off by default: the reads cost 2-3.5 us per KiB of a pool thread from the first byte (the kernel's
 * read-ahead takes cold memory even while writes still get warm pages), so with a load generator on
 * the other core 45 s runs gained 7-40% and 15 s runs lost 11-25% (docs/benchmarks.md, session 10).
 *
 * Reads never change the file, so a read racing a write, a truncation or a deletion (MappedFile.read
 * holds the file) is harmless. It stays within the file the writer is in: the next one is created on
 * demand, and its first bytes are written cold.
 */
export class CommitLogWarmer {
  private readonly buf: Buffer;
  private idleWaiters: Array<() => void> = [];
  /** CommitLog offset up to which reads are done or in flight. */
  private warmedTo = 0;
  private writerAt = 0;
  private reading = false;
  private stopped = false;

  constructor(
    private readonly queue: MappedFileQueue,
    private readonly aheadBytes: number,
    private readonly log: Logger,
  ) {
    this.buf = Buffer.allocUnsafeSlow(aheadBytes > 0 ? Math.min(READ_BYTES, aheadBytes) : 0);
  }

  /** The writer has reached `offset`: read on while less than aheadBytes lie warmed past it. */
  advance(offset: number): void {
    this.writerAt = offset;
    if (this.reading || this.stopped || this.aheadBytes <= 0) return;
    if (this.warmedTo < offset) this.warmedTo = offset;
    if (this.warmedTo - offset >= this.aheadBytes) return;
    const file = this.queue.findMappedFileByOffset(this.warmedTo);
    if (!file) return;
    const filePos = this.warmedTo - file.fileFromOffset;
    const len = Math.min(this.buf.length, file.fileSize - filePos);
    if (len <= 0) return;
    this.reading = true;
    this.warmedTo += len;
    file.read(this.buf, 0, len, filePos).then(
      () => this.readDone(),
      (err: unknown) => {
        this.log.debug({ err, offset: this.warmedTo - len }, 'CommitLog read-ahead failed');
        this.readDone();
      },
    );
  }

  /** No more reads (shutdown); one in flight still completes. */
  stop(): void {
    this.stopped = true;
  }

  /** CommitLog offset up to which reads were started (tests). */
  get warmedOffset(): number {
    return this.warmedTo;
  }

  /** Resolves once no read is in flight. */
  whenIdle(): Promise<void> {
    if (!this.reading) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private readDone(): void {
    this.reading = false;
    this.advance(this.writerAt);
    if (!this.reading) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
