import type { Logger } from '../common/logger.js';
import type { MappedFileQueue } from './mapped-file-queue.js';

/** One read on the libuv pool at a time, of this many bytes. */
const READ_BYTES = 1024 * 1024;
/** The writer's pwrites are judged over this many bytes at a time... */
const JUDGED_BYTES = 64 * 1024 * 1024;
/** ...after this many (a new file's first writes cost more for a moment)... */
const UNJUDGED_BYTES = 256 * 1024 * 1024;
/** ...and found cold this many times in a row. */
const COLD_JUDGEMENTS = 2;
/**
 * Above this many microseconds of pwrite per KiB the writer's pages are cold: ~0.3 when the page cache
 * gets recently freed memory, 2.6-4.2 when every new page costs the host a fault.
 */
const COLD_US_PER_KIB = 1.5;

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
 * The reads cost 2-3.5 us per KiB of a pool thread even while the writer still gets warm pages (the
 * kernel's read-ahead takes cold memory), so reading ahead from the start made 15 s runs with a load
 * generator on the other core 11-25% slower. So it starts only once the writer's own pwrites are
 * found cold: over COLD_US_PER_KIB, in COLD_JUDGEMENTS windows of JUDGED_BYTES in a row, after the
 * first UNJUDGED_BYTES. Measured (docs/benchmarks.md, session 10): 15 s runs never start it; 45 s
 * runs were 3.5-40% faster with reading ahead in 8 of 8 alternated pairs.
 *
 * This judgement also starts the CommitLog's drop-behind (it is made whatever aheadBytes is), and
 * once that gives pages back the reading stops for good (CommitLog calls stop): the writes then get
 * recycled, warm pages, and reading ahead only takes CPU from the other core (45 s runs were 10-44%
 * faster without the reads, session 11).
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
  /** Reading ahead: once the writer's pwrites turned out cold (it stays on until restart). */
  private active = false;
  private judgedBytes = 0;
  private judgedMs = 0;
  private seenBytes = 0;
  private coldInARow = 0;
  private coldFound = false;

  constructor(
    private readonly queue: MappedFileQueue,
    private readonly aheadBytes: number,
    private readonly log: Logger,
    /** Called once when the writes are first found cold (the CommitLog's drop-behind starts then too). */
    private readonly onCold: () => void = () => {},
  ) {
    this.buf = Buffer.allocUnsafeSlow(aheadBytes > 0 ? Math.min(READ_BYTES, aheadBytes) : 0);
  }

  /**
   * A synchronous CommitLog write of `bytes` took `ms`: after JUDGED_BYTES of them, reading ahead
   * starts if they cost more than COLD_US_PER_KIB. Until then reads would only add work: while the
   * writer still gets warm pages its pwrites are cheaper than the reads that would precede them.
   */
  observeWrite(bytes: number, ms: number): void {
    if (this.coldFound) return;
    if (this.seenBytes < UNJUDGED_BYTES) {
      this.seenBytes += bytes;
      return;
    }
    this.judgedBytes += bytes;
    this.judgedMs += ms;
    if (this.judgedBytes < JUDGED_BYTES) return;
    const usPerKiB = (this.judgedMs * 1000) / (this.judgedBytes / 1024);
    this.judgedBytes = 0;
    this.judgedMs = 0;
    this.coldInARow = usPerKiB >= COLD_US_PER_KIB ? this.coldInARow + 1 : 0;
    if (this.coldInARow >= COLD_JUDGEMENTS) {
      this.coldFound = true;
      this.log.info({ usPerKiB: Number(usPerKiB.toFixed(2)) }, 'CommitLog writes meet cold pages');
      this.activate();
      this.onCold();
    }
  }

  /** Reads ahead from now on (what observeWrite does once the writes turn out cold). */
  activate(): void {
    this.active = this.aheadBytes > 0;
  }

  /** The writer has reached `offset`: read on while less than aheadBytes lie warmed past it. */
  advance(offset: number): void {
    this.writerAt = offset;
    if (!this.active || this.reading || this.stopped) return;
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

  /** No more reads (shutdown, or pages are being recycled); one in flight still completes. */
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
