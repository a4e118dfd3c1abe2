import * as fs from 'node:fs';
import { join } from 'node:path';
import { MappedFile, OS_PAGE_SIZE, offset2FileName } from './mapped-file.js';
import { StoreError } from './store-error.js';

/** RocketMQ deletes at most this many expired files per pass (MappedFileQueue.DELETE_FILES_BATCH_MAX). */
const DELETE_FILES_BATCH_MAX = 10;

/**
 * A folder of equally sized files named by start offset, addressed as one log (store/MappedFileQueue.java).
 * `committedWhere`/`flushedWhere` are absolute offsets up to which bytes are written / fsynced.
 */
export class MappedFileQueue {
  readonly mappedFiles: MappedFile[] = [];
  flushedWhere = 0;
  committedWhere = 0;
  private flushing: Promise<boolean> | undefined;

  constructor(
    readonly storePath: string,
    readonly mappedFileSize: number,
    private readonly now: () => number,
  ) {}

  /** Opens the existing files in offset order; positions are set by the owner's recovery. */
  load(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.storePath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const n of names) if (n.endsWith('.tmp')) fs.rmSync(join(this.storePath, n), { force: true }); // creation cut short
    names = names.filter((n) => /^\d{20}$/.test(n)).sort();
    for (const name of names) {
      const mf = MappedFile.open(join(this.storePath, name), this.mappedFileSize);
      mf.setPositions(this.mappedFileSize);
      this.mappedFiles.push(mf);
    }
    this.checkSelf();
  }

  /** Adjacent files must be exactly one file size apart. */
  checkSelf(): void {
    for (let i = 1; i < this.mappedFiles.length; i++) {
      const pre = this.mappedFiles[i - 1]!;
      const cur = this.mappedFiles[i]!;
      if (cur.fileFromOffset - pre.fileFromOffset !== this.mappedFileSize)
        throw new StoreError(`${this.storePath}: files ${pre.fileName} and ${cur.fileName} are not adjacent`);
    }
  }

  isEmpty(): boolean {
    return this.mappedFiles.length === 0;
  }

  getFirstMappedFile(): MappedFile | undefined {
    return this.mappedFiles[0];
  }

  getLastMappedFile(): MappedFile | undefined {
    return this.mappedFiles[this.mappedFiles.length - 1];
  }

  /**
   * The file that holds `offset`, creating it (and its folder) when it is the next one or the queue
   * is empty; as getLastMappedFile(startOffset, needCreate=true).
   */
  getOrCreateMappedFile(offset: number): MappedFile {
    const found = this.findMappedFileByOffset(offset);
    if (found) return found;
    const start = offset - (offset % this.mappedFileSize);
    const last = this.getLastMappedFile();
    if (last && start !== last.fileFromOffset + this.mappedFileSize)
      throw new StoreError(`${this.storePath}: cannot create file at ${start} after ${last.fileFromOffset}`);
    fs.mkdirSync(this.storePath, { recursive: true });
    const mf = MappedFile.create(
      join(this.storePath, offset2FileName(start)),
      start,
      this.mappedFileSize,
      this.now(),
    );
    if (this.mappedFiles.length === 0) mf.firstCreateInQueue = true;
    this.mappedFiles.push(mf);
    return mf;
  }

  findMappedFileByOffset(offset: number, returnFirstOnNotFound = false): MappedFile | undefined {
    const first = this.mappedFiles[0];
    if (!first) return undefined;
    const index =
      Math.floor(offset / this.mappedFileSize) - Math.floor(first.fileFromOffset / this.mappedFileSize);
    const mf = index >= 0 ? this.mappedFiles[index] : undefined;
    if (mf && offset >= mf.fileFromOffset && offset < mf.fileFromOffset + this.mappedFileSize) return mf;
    return returnFirstOnNotFound ? first : undefined;
  }

  /** Start offset of the first file, -1 when empty. */
  getMinOffset(): number {
    return this.mappedFiles[0]?.fileFromOffset ?? -1;
  }

  /** End of the readable (written) bytes. */
  getMaxOffset(): number {
    const last = this.getLastMappedFile();
    return last ? last.fileFromOffset + last.committedPosition : 0;
  }

  getMaxWrotePosition(): number {
    const last = this.getLastMappedFile();
    return last ? last.fileFromOffset + last.wrotePosition : 0;
  }

  /** The first file modified at or after `timestamp`, else the last (getMappedFileByTime). */
  getMappedFileByTime(timestamp: number): MappedFile | undefined {
    for (const mf of this.mappedFiles) if (mf.lastModifiedTimestamp >= timestamp) return mf;
    return this.getLastMappedFile();
  }

  /** Everything from `offset` on goes: the file holding it is cut (and zeroed past it), later files deleted. */
  truncateDirtyFiles(offset: number): void {
    const keep: MappedFile[] = [];
    for (const mf of this.mappedFiles) {
      const tail = mf.fileFromOffset + this.mappedFileSize;
      if (tail <= offset) {
        keep.push(mf);
      } else if (offset >= mf.fileFromOffset) {
        const pos = offset - mf.fileFromOffset;
        mf.zeroTail(pos);
        mf.setPositions(pos);
        keep.push(mf);
      } else {
        mf.destroy();
      }
    }
    this.mappedFiles.length = 0;
    this.mappedFiles.push(...keep);
    if (this.flushedWhere > offset) this.flushedWhere = offset;
    if (this.committedWhere > offset) this.committedWhere = offset;
  }

  deleteLastMappedFile(): void {
    const last = this.mappedFiles.pop();
    last?.destroy();
  }

  /**
   * Deletes files (never the last) last written more than `expiredTime` ms ago, or all of them but the
   * last when `cleanImmediately`, oldest first and stopping at the first one kept (deleteExpiredFileByTime).
   */
  deleteExpiredFileByTime(expiredTime: number, cleanImmediately: boolean): number {
    const now = this.now();
    let count = 0;
    while (this.mappedFiles.length > 1 && count < DELETE_FILES_BATCH_MAX) {
      const mf = this.mappedFiles[0]!;
      if (!cleanImmediately && now < mf.lastModifiedTimestamp + expiredTime) break;
      mf.destroy(true);
      this.mappedFiles.shift();
      count++;
    }
    return count;
  }

  /**
   * For ConsumeQueues: deletes files (never the last) whose last entry points below `offset`
   * (deleteExpiredFileByOffset; the last 8-byte field of a unit is read at fileSize - unitSize).
   */
  deleteExpiredFileByOffset(offset: number, unitSize: number): number {
    let count = 0;
    const b = Buffer.allocUnsafe(8);
    while (this.mappedFiles.length > 1) {
      const mf = this.mappedFiles[0]!;
      if (mf.readSync(b, 0, 8, this.mappedFileSize - unitSize) !== 8) break;
      const maxOffsetInLogicQueue = b.readInt32BE(0) * 0x1_0000_0000 + b.readUInt32BE(4);
      if (maxOffsetInLogicQueue >= offset) break;
      mf.destroy(true);
      this.mappedFiles.shift();
      count++;
    }
    return count;
  }

  /**
   * fsyncs what is written but not yet flushed, when at least `leastPages` pages are dirty (or any
   * byte when 0), as MappedFile.isAbleToFlush. One flush at a time; concurrent callers share it.
   */
  flush(leastPages: number): Promise<boolean> {
    if (this.flushing) return this.flushing;
    const target = this.committedWhere;
    const from = this.flushedWhere;
    if (target <= from) return Promise.resolve(true);
    if (leastPages > 0 && Math.floor(target / OS_PAGE_SIZE) - Math.floor(from / OS_PAGE_SIZE) < leastPages)
      return Promise.resolve(false);
    this.flushing = this.doFlush(from, target).finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async doFlush(from: number, target: number): Promise<boolean> {
    let mf = this.findMappedFileByOffset(from, true);
    while (mf) {
      await mf.fsync();
      const end = mf.fileFromOffset + this.mappedFileSize;
      mf.flushedPosition = Math.min(target, end) - mf.fileFromOffset;
      if (end >= target) break;
      mf = this.findMappedFileByOffset(end);
    }
    if (target > this.flushedWhere) this.flushedWhere = target;
    return true;
  }

  /** Waits for a flush in flight (shutdown). */
  async waitFlush(): Promise<void> {
    if (this.flushing) await this.flushing;
  }

  shutdown(): void {
    for (const mf of this.mappedFiles) mf.shutdown();
  }

  /** Deletes every file and the folder. */
  destroy(): void {
    for (const mf of this.mappedFiles) mf.destroy();
    this.mappedFiles.length = 0;
    this.flushedWhere = 0;
    this.committedWhere = 0;
    try {
      fs.rmdirSync(this.storePath);
    } catch {
      // not empty or gone: RocketMQ also ignores this
    }
  }
}
