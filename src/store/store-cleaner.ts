import type { Logger } from '../common/logger.js';
import type { ConsumeQueue } from './consume-queue.js';
import type { IndexService } from './index-service.js';
import type { MappedFileQueue } from './mapped-file-queue.js';
import type { MessageStoreConfig } from './message-store-config.js';

/** Above this disk usage writes are refused (rocketmq.broker.diskSpaceWarningLevelRatio). */
export const DISK_SPACE_WARNING_LEVEL_RATIO = 0.9;
/** Above this, files are deleted whatever their age (rocketmq.broker.diskSpaceCleanForciblyRatio). */
export const DISK_SPACE_CLEAN_FORCIBLY_RATIO = 0.85;
const MAX_MANUAL_DELETE_FILE_TIMES = 20;

export interface CleanTarget {
  readonly config: MessageStoreConfig;
  readonly log: Logger;
  readonly commitLogQueue: MappedFileQueue;
  readonly commitLogPath: string;
  readonly consumeQueuePath: string;
  readonly indexService: IndexService | undefined;
  now(): number;
  /** Used fraction (0..1) of the disk holding `path`; negative when unknown. */
  diskUsage(path: string): number;
  consumeQueues(): Iterable<ConsumeQueue>;
  setDiskFull(full: boolean): void;
}

/** UtilAll.isItTimeToDo: is the current hour one of `when` ("04" or "04;05")? */
export function isItTimeToDo(when: string, now: number): boolean {
  const hour = new Date(now).getHours();
  return when.split(';').some((h) => h.trim() !== '' && Number(h) === hour);
}

/**
 * Retention (DefaultMessageStore.CleanCommitLogService + CleanConsumeQueueService): CommitLog files
 * older than fileReservedTime go at the deleteWhen hour, or at once when the disk passes
 * diskMaxUsedSpaceRatio; past 85% any age goes, past 90% writes are refused. ConsumeQueue and index
 * files whose messages are all gone follow, and queue minimum offsets move forward.
 */
export class StoreCleaner {
  private manualDeleteFileSeveralTimes = 0;
  private lastPhysicalMinOffset = 0;

  constructor(private readonly t: CleanTarget) {}

  /** TRIGGER_DELETE_FILES / DELETE_EXPIRED_COMMITLOG: the next runs delete expired files regardless of the hour. */
  executeDeleteFilesManually(): void {
    this.manualDeleteFileSeveralTimes = MAX_MANUAL_DELETE_FILE_TIMES;
  }

  run(): { commitLogFilesDeleted: number } {
    const deleted = this.deleteExpiredCommitLogFiles();
    this.deleteExpiredLogics();
    return { commitLogFilesDeleted: deleted };
  }

  private deleteExpiredCommitLogFiles(): number {
    const c = this.t.config;
    const timeup = isItTimeToDo(c.deleteWhen, this.t.now());
    const { spacefull, cleanImmediately } = this.checkSpace();
    const manual = this.manualDeleteFileSeveralTimes > 0;
    if (!timeup && !spacefull && !manual) return 0;
    if (manual) this.manualDeleteFileSeveralTimes--;
    const cleanAtOnce = c.cleanFileForciblyEnable && cleanImmediately;
    const count = this.t.commitLogQueue.deleteExpiredFileByTime(c.fileReservedTime * 3_600_000, cleanAtOnce);
    if (count > 0)
      this.t.log.info({ count, timeup, spacefull, manual, cleanAtOnce }, 'deleted expired CommitLog files');
    else if (spacefull)
      this.t.log.warn('disk space will be full soon, but no CommitLog file could be deleted');
    return count;
  }

  /** isSpaceToDelete: also raises or clears the disk-full flag that refuses writes. */
  private checkSpace(): { spacefull: boolean; cleanImmediately: boolean } {
    const ratio = this.t.config.diskMaxUsedSpaceRatio / 100;
    let cleanImmediately = false;
    let full = false;
    let spacefull = false;
    for (const path of [this.t.commitLogPath, this.t.consumeQueuePath]) {
      const used = this.t.diskUsage(path);
      if (used > DISK_SPACE_WARNING_LEVEL_RATIO) {
        full = true;
        cleanImmediately = true;
      } else if (used > DISK_SPACE_CLEAN_FORCIBLY_RATIO) {
        cleanImmediately = true;
      }
      if (used < 0 || used > ratio) spacefull = true;
    }
    this.t.setDiskFull(full);
    return { spacefull, cleanImmediately };
  }

  /** Is the disk beyond diskMaxUsedSpaceRatio (DefaultMessageStore.isSpaceFull)? */
  isSpaceFull(): boolean {
    return this.t.diskUsage(this.t.commitLogPath) > this.t.config.diskMaxUsedSpaceRatio / 100;
  }

  private deleteExpiredLogics(): void {
    const minOffset = this.t.commitLogQueue.getMinOffset();
    if (minOffset <= this.lastPhysicalMinOffset) return;
    this.lastPhysicalMinOffset = minOffset;
    for (const cq of this.t.consumeQueues()) cq.deleteExpiredFile(minOffset);
    this.t.indexService?.deleteExpiredFile(minOffset);
  }
}
