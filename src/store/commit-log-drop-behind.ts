import { basename } from 'node:path';
import type { Logger } from '../common/logger.js';
import { OS_PAGE_SIZE } from './mapped-file.js';
import type { MappedFileQueue } from './mapped-file-queue.js';
import { PageCacheAdvice } from './page-cache-advice.js';

/** Pages are given back this many bytes (or keepBytes) at a time at least: one system call per step and file. */
const STEP_BYTES = 8 * 1024 * 1024;
/** At most this much per flush, so that catching up after activation never holds the loop long. */
const MAX_BYTES_PER_CALL = 256 * 1024 * 1024;

/**
 * Gives the page cache of flushed CommitLog data more than `keepBytes` behind the write position
 * back to the kernel (posix_fadvise DONTNEED, through PageCacheAdvice), once the writer's pages
 * turn out cold (the CommitLogWarmer's judgement).
 *
 * Why: on these VMs a page-cache page the guest has not used lately costs the host a fault on its
 * first write (free memory is handed back to the host and taken again on demand), so a writer that
 * keeps asking for new pages pays ~1-3 us per KiB instead of ~0.3. Left alone the page cache grows
 * with every byte written, and every byte needs a new page. Pages given back right behind the data
 * still wanted are the next ones the kernel hands out, still warm: measured with 128 KiB pwrites,
 * 0.2-0.3 us per KiB throughout with the pages 512 MiB behind given back, 1.0-1.5 without, and the
 * same 1.0-1.5 when only fsyncing (docs/benchmarks.md, session 11).
 *
 * Only flushed bytes are given back (the kernel keeps dirty pages anyway, and starts writing them
 * instead), and none a consumer group or a slave has yet to read within RocketMQ's in-memory region
 * (a consumer or slave catching up reads from the page cache, as it would without this). What is
 * given back is read from disk when asked for; the CommitLog tells readers so by shrinking its
 * in-memory region (memoryForPageCache) to what is still cached.
 */
export class CommitLogDropBehind {
  /**
   * Lowest CommitLog offset a consumer group or a slave still has to read (Infinity when none): pages
   * from there on are kept, within RocketMQ's in-memory region. Set by the broker, which knows both.
   */
  neededFrom: () => number = () => Number.POSITIVE_INFINITY;
  /** Called once, when pages are first given back (the read-ahead stops then). */
  onFirstDrop: () => void = () => {};
  private dropped = false;
  /** CommitLog offset below which this run has given pages back (or never wrote). */
  private droppedTo = 0;
  private advice: PageCacheAdvice | undefined;
  private adviceTried = false;
  private activeNow = false;

  constructor(
    private readonly queue: MappedFileQueue,
    readonly keepBytes: number,
    /** RocketMQ's in-memory region (accessMessageInMemoryMaxRatio of RAM): never kept for a consumer past it. */
    private readonly memoryBytes: number,
    private readonly log: Logger,
  ) {}

  /** Appends continue at `offset` (after recovery): pages of earlier runs are left to the kernel. */
  startAt(offset: number): void {
    this.droppedTo = offset;
  }

  get active(): boolean {
    return this.activeNow;
  }

  /** CommitLog offset below which pages were given back (tests). */
  get droppedOffset(): number {
    return this.droppedTo;
  }

  /**
   * Gives pages back from now on (the writer met cold pages). False when it cannot: keepBytes is 0,
   * or posix_fadvise is out of reach.
   */
  activate(): boolean {
    if (this.activeNow || this.keepBytes <= 0) return this.activeNow;
    if (!this.adviceTried) {
      this.adviceTried = true;
      this.advice = PageCacheAdvice.open(this.queue.storePath);
      if (!this.advice)
        this.log.warn('posix_fadvise is not reachable through WASI: CommitLog pages stay cached');
    }
    this.activeNow = this.advice !== undefined;
    if (this.activeNow)
      this.log.info({ keepBytes: this.keepBytes }, 'giving back CommitLog page cache behind the writer');
    return this.activeNow;
  }

  /**
   * Bytes behind the written end that are still in the page cache as far as this knows: Infinity until
   * it has given anything back (then the kernel's view is unchanged), everything from where it stopped
   * giving back after that.
   */
  cachedBytes(): number {
    return this.dropped ? this.queue.committedWhere - this.droppedTo : Number.POSITIVE_INFINITY;
  }

  /**
   * After a flush: gives back what is flushed, more than keepBytes behind the written end and not yet
   * read by a consumer that lags by less than the in-memory region.
   */
  afterFlush(): void {
    if (!this.activeNow) return;
    const end = this.queue.committedWhere;
    let target = Math.min(this.queue.flushedWhere, end - this.keepBytes);
    const step = Math.min(STEP_BYTES, this.keepBytes);
    if (target - this.droppedTo < step) return;
    target = Math.min(target, Math.max(this.neededFrom(), end - this.memoryBytes));
    const to = Math.min(target - (target % OS_PAGE_SIZE), this.droppedTo + MAX_BYTES_PER_CALL);
    if (to - this.droppedTo < step) return;
    const first = this.queue.getFirstMappedFile();
    if (first && this.droppedTo < first.fileFromOffset) this.droppedTo = first.fileFromOffset; // deleted since
    if (to <= this.droppedTo) return;
    while (this.droppedTo < to) {
      const file = this.queue.findMappedFileByOffset(this.droppedTo);
      if (!file) break;
      const upTo = Math.min(to, file.fileFromOffset + file.fileSize);
      const errno = this.advice!.dontNeed(
        basename(file.fileName),
        this.droppedTo - file.fileFromOffset,
        upTo - this.droppedTo,
      );
      if (errno !== 0) {
        this.log.warn({ errno, file: file.fileName }, 'posix_fadvise failed: CommitLog pages stay cached');
        this.activeNow = false;
        break;
      }
      this.droppedTo = upTo;
      if (!this.dropped) {
        this.dropped = true;
        this.onFirstDrop();
      }
    }
  }
}
