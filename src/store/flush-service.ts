import type { Logger } from '../common/logger.js';
import type { ScheduledTask, Scheduler } from '../common/scheduler.js';
import type { MappedFileQueue } from './mapped-file-queue.js';
import type { MessageStoreConfig } from './message-store-config.js';
import type { WriteBatch } from './write-batch.js';

interface GroupCommitRequest {
  batch: WriteBatch;
  deadline: number;
}

/**
 * CommitLog flushing (CommitLog.GroupCommitService / FlushRealTimeService):
 * - SYNC_FLUSH: a written batch waits here until an fsync that started after it was written
 *   completes; all batches waiting when an fsync starts share it (group commit). Past
 *   syncFlushTimeout a batch is answered FLUSH_DISK_TIMEOUT (stored, but not known to be on disk).
 * - ASYNC_FLUSH: an fsync every flushIntervalCommitLog when at least flushCommitLogLeastPages pages
 *   are dirty, and of everything every flushCommitLogThoroughInterval.
 * fsync runs on the libuv pool, off the event loop. After each flush the checkpoint learns the store
 * time of the last flushed message.
 */
export class FlushCommitLogService {
  private readonly waiting: GroupCommitRequest[] = [];
  private flushing = false;
  private tasks: ScheduledTask[] = [];
  private lastThorough = 0;
  private stopped = false;

  constructor(
    private readonly config: MessageStoreConfig,
    private readonly queue: MappedFileQueue,
    private readonly scheduler: Scheduler,
    private readonly lastWrittenStoreTimestamp: () => number,
    private readonly onFlushed: (storeTimestamp: number) => void,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.lastThorough = this.scheduler.now();
    if (this.config.flushDiskType === 'SYNC_FLUSH') {
      const every = Math.max(10, Math.min(1000, Math.floor(this.config.syncFlushTimeout / 5)));
      this.tasks.push(this.scheduler.every('flush-disk-watcher', every, () => this.expire()));
    } else {
      this.tasks.push(
        this.scheduler.every('flush-commitlog', this.config.flushIntervalCommitLog, () => this.flushAsync()),
      );
    }
  }

  /** SYNC_FLUSH: answer the batch's callers once its bytes are fsynced. */
  submit(batch: WriteBatch): void {
    this.waiting.push({ batch, deadline: this.scheduler.now() + this.config.syncFlushTimeout });
    this.groupCommit();
  }

  private groupCommit(): void {
    if (this.flushing || this.waiting.length === 0) return;
    this.flushing = true;
    const stamp = this.lastWrittenStoreTimestamp();
    this.queue
      .flush(0)
      .then(
        () => {
          this.onFlushed(stamp);
          const flushed = this.queue.flushedWhere;
          let n = 0;
          while (n < this.waiting.length && this.waiting[n]!.batch.endOffset <= flushed) n++;
          for (const r of this.waiting.splice(0, n)) r.batch.resolveAll();
        },
        (err: unknown) => {
          // callers keep waiting: the next fsync retries, and the watcher answers FLUSH_DISK_TIMEOUT
          this.log.error({ err }, 'CommitLog fsync failed');
        },
      )
      .finally(() => {
        this.flushing = false;
        if (!this.stopped) this.groupCommit();
      });
  }

  /** FlushDiskWatcher: answers batches waiting past syncFlushTimeout. */
  private expire(): void {
    const now = this.scheduler.now();
    while (this.waiting.length > 0 && this.waiting[0]!.deadline <= now) {
      this.waiting.shift()!.batch.resolveFlushTimeout();
    }
    if (this.waiting.length > 0) this.groupCommit();
  }

  private async flushAsync(): Promise<void> {
    const now = this.scheduler.now();
    let leastPages = this.config.flushCommitLogLeastPages;
    if (now >= this.lastThorough + this.config.flushCommitLogThoroughInterval) {
      this.lastThorough = now;
      leastPages = 0;
    }
    const stamp = this.lastWrittenStoreTimestamp();
    const before = this.queue.flushedWhere;
    await this.queue.flush(leastPages);
    if (this.queue.flushedWhere > before) this.onFlushed(stamp);
  }

  /** Everything written so far fsynced; waiting callers answered (shutdown). */
  async flushAll(): Promise<void> {
    const stamp = this.lastWrittenStoreTimestamp();
    await this.queue.waitFlush();
    await this.queue.flush(0);
    this.onFlushed(stamp);
    for (const r of this.waiting.splice(0)) r.batch.resolveAll();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.tasks) t.cancel();
    this.tasks = [];
  }
}
