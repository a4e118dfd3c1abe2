import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import { readLong } from '../common/message-decoder.js';
import { ConsumeQueueReadAhead, READ_AHEAD_BYTES } from './consume-queue-read-ahead.js';
import type { MappedFile } from './mapped-file.js';
import { MappedFileQueue } from './mapped-file-queue.js';
import { CQ_STORE_UNIT_SIZE } from './message-store-config.js';

const INT_MAX = 0x7fffffff;
const TWO_POW_32 = 0x1_0000_0000;

/** What a ConsumeQueue needs from its store. */
export interface ConsumeQueueHost {
  now(): number;
  /** Store time of the message at (commit log offset, size), -1 when unreadable (binary search by time). */
  pickupStoreTimestamp(offset: number, size: number): Promise<number>;
  getMinPhyOffset(): number;
  log: Logger;
}

/**
 * The logical queue of one (topic, queueId): 20-byte entries (commit log offset, size, tag hash code)
 * at index = queue offset (store/ConsumeQueue.java; protocol.md s.6). Dispatched entries are gathered
 * in memory and written with one synchronous write per file (flushPending) once a few KiB are pending,
 * when a reader needs them, or before the queue is fsynced: small page-cache writes, but one write per
 * ~200 entries instead of one per dispatch batch (a tenth of the event loop's cost at high rates), and
 * the entries stay a dense prefix of the file, which recovery relies on. A crash loses only pending
 * entries the checkpoint does not cover, and recovery rebuilds them from the CommitLog.
 */
export class ConsumeQueue {
  readonly mappedFileQueue: MappedFileQueue;
  /** End (offset + size) of the last entry's message in the CommitLog; entries ending at or below it are already here. */
  maxPhysicOffset = -1;
  /** In bytes, as RocketMQ keeps it. */
  minLogicOffset = 0;
  private pending = Buffer.allocUnsafe(CQ_STORE_UNIT_SIZE * 64);
  private pendingView = new DataView(this.pending.buffer, this.pending.byteOffset, this.pending.byteLength);
  private pendingLen = 0;
  private pendingStart = 0;
  private readonly readAhead = new ConsumeQueueReadAhead();

  constructor(
    readonly topic: string,
    readonly queueId: number,
    rootPath: string,
    readonly mappedFileSize: number,
    private readonly host: ConsumeQueueHost,
  ) {
    this.mappedFileQueue = new MappedFileQueue(join(rootPath, topic, String(queueId)), mappedFileSize, () =>
      host.now(),
    );
  }

  load(): void {
    this.mappedFileQueue.load();
  }

  /**
   * Finds the end of the valid entries (offset >= 0 and size > 0), as ConsumeQueue.recover, and cuts
   * everything after it. Entries are a dense prefix of each file (written in order, tails zeroed on
   * truncation), and every file but the last is full, so a binary search in the last file (and a look
   * at the last entry of the two before it) replaces RocketMQ's scan of three whole files.
   */
  recover(): void {
    this.readAhead.drop();
    const files = this.mappedFileQueue.mappedFiles;
    if (files.length === 0) return;
    const units = this.mappedFileSize / CQ_STORE_UNIT_SIZE;
    let processOffset = 0;
    for (let index = Math.max(0, files.length - 3); index < files.length; index++) {
      const mf = files[index]!;
      const isLast = index === files.length - 1;
      if (!isLast && this.isValidEntry(mf, units - 1)) continue;
      // first invalid entry: entries [0, lo) are valid
      let lo = 0;
      let hi = units;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.isValidEntry(mf, mid)) lo = mid + 1;
        else hi = mid;
      }
      processOffset = mf.fileFromOffset + lo * CQ_STORE_UNIT_SIZE;
      break;
    }
    this.mappedFileQueue.flushedWhere = processOffset;
    this.mappedFileQueue.committedWhere = processOffset;
    this.mappedFileQueue.truncateDirtyFiles(processOffset);
    this.maxPhysicOffset = this.readLastMessageEnd();
  }

  private readonly probe = Buffer.allocUnsafe(CQ_STORE_UNIT_SIZE);

  private readEntry(mf: MappedFile, unit: number): boolean {
    return mf.readSync(this.probe, 0, CQ_STORE_UNIT_SIZE, unit * CQ_STORE_UNIT_SIZE) === CQ_STORE_UNIT_SIZE;
  }

  private isValidEntry(mf: MappedFile, unit: number): boolean {
    return this.readEntry(mf, unit) && readLong(this.probe, 0) >= 0 && this.probe.readInt32BE(8) > 0;
  }

  /** End of the message of the last non-padding entry, -1 when none. */
  private readLastMessageEnd(): number {
    const files = this.mappedFileQueue.mappedFiles;
    for (let f = files.length - 1; f >= 0; f--) {
      const mf = files[f]!;
      for (let u = mf.committedPosition / CQ_STORE_UNIT_SIZE - 1; u >= 0; u--) {
        if (!this.readEntry(mf, u)) break;
        const size = this.probe.readInt32BE(8);
        if (size > 0 && size !== INT_MAX) return readLong(this.probe, 0) + size;
        if (size === INT_MAX) return -1; // padding only comes before real entries
      }
    }
    return -1;
  }

  getMinOffsetInQueue(): number {
    return Math.floor(this.minLogicOffset / CQ_STORE_UNIT_SIZE);
  }

  /** Next queue offset to be written (count of entries including the padded prefix and pending ones). */
  getMaxOffsetInQueue(): number {
    return Math.floor(this.mappedFileQueue.getMaxWrotePosition() / CQ_STORE_UNIT_SIZE);
  }

  getMessageTotalInQueue(): number {
    return this.getMaxOffsetInQueue() - this.getMinOffsetInQueue();
  }

  /**
   * Appends the entry for queue offset `cqOffset` to this batch's pending entries
   * (putMessagePositionInfo). Re-dispatch of entries already here is skipped; a gap (which only a
   * damaged queue can show) is padded with blank entries so that entry index == queue offset holds.
   */
  putMessagePositionInfo(offset: number, size: number, tagsCode: number, cqOffset: number): boolean {
    if (offset + size <= this.maxPhysicOffset) return false;
    const expect = cqOffset * CQ_STORE_UNIT_SIZE;
    let mf = this.mappedFileQueue.getLastMappedFile();
    if (!mf) {
      mf = this.mappedFileQueue.getOrCreateMappedFile(expect);
      if (cqOffset !== 0) {
        // as fillPreBlank: a queue whose first file starts past 0 (older files deleted)
        this.minLogicOffset = expect;
        this.mappedFileQueue.flushedWhere = expect;
        this.mappedFileQueue.committedWhere = expect;
        this.padTo(expect);
      }
    }
    const current = this.nextLogicOffset();
    if (expect < current) return false;
    if (expect > current) {
      this.host.log.error(
        { topic: this.topic, queueId: this.queueId, expect, current },
        'ConsumeQueue gap, padding',
      );
      this.padTo(expect);
    }
    this.append(offset, size, tagsCode);
    this.maxPhysicOffset = offset + size;
    return true;
  }

  private nextLogicOffset(): number {
    const last = this.mappedFileQueue.getLastMappedFile();
    return last ? last.fileFromOffset + last.wrotePosition : 0;
  }

  private padTo(logicOffset: number): void {
    this.flushPending();
    while (this.nextLogicOffset() < logicOffset) this.append(0, INT_MAX, 0);
    this.flushPending();
  }

  private append(offset: number, size: number, tagsCode: number): void {
    let mf = this.mappedFileQueue.getLastMappedFile()!;
    if (mf.isFull()) {
      // recovery trusts every file but the last few to be complete: write a file's entries before the next exists
      if (this.pendingLen > 0) this.flushPending();
      mf = this.mappedFileQueue.getOrCreateMappedFile(mf.fileFromOffset + this.mappedFileSize);
    }
    if (this.pendingLen === 0) this.pendingStart = mf.fileFromOffset + mf.wrotePosition;
    if (this.pendingLen + CQ_STORE_UNIT_SIZE > this.pending.length)
      this.setPendingBuffer(this.pending.length * 2);
    const p = this.pendingLen;
    const dv = this.pendingView;
    dv.setInt32(p, Math.floor(offset / TWO_POW_32));
    dv.setUint32(p + 4, offset >>> 0);
    dv.setInt32(p + 8, size);
    dv.setInt32(p + 12, Math.floor(tagsCode / TWO_POW_32));
    dv.setUint32(p + 16, tagsCode >>> 0);
    this.pendingLen += CQ_STORE_UNIT_SIZE;
    mf.wrotePosition += CQ_STORE_UNIT_SIZE;
  }

  hasPending(): boolean {
    return this.pendingLen > 0;
  }

  /** Bytes of entries appended but not yet written to the file. */
  pendingBytes(): number {
    return this.pendingLen;
  }

  private setPendingBuffer(size: number): void {
    const next = Buffer.allocUnsafe(size);
    this.pending.copy(next, 0, 0, this.pendingLen);
    this.pending = next;
    this.pendingView = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** Writes the entries gathered since the last call: one write per file touched. */
  flushPending(): void {
    const now = this.pendingLen > 0 ? this.host.now() : 0;
    let done = 0;
    while (done < this.pendingLen) {
      const logic = this.pendingStart + done;
      const mf = this.mappedFileQueue.findMappedFileByOffset(logic) as MappedFile;
      const pos = logic - mf.fileFromOffset;
      const len = Math.min(this.pendingLen - done, this.mappedFileSize - pos);
      mf.writeSync(this.pending, done, len, pos);
      mf.committedPosition = pos + len;
      mf.lastModifiedTimestamp = now;
      done += len;
    }
    this.pendingLen = 0;
    this.mappedFileQueue.committedWhere = this.mappedFileQueue.getMaxOffset();
    if (this.pending.length > 64 * 1024) this.setPendingBuffer(CQ_STORE_UNIT_SIZE * 64);
  }

  /**
   * Up to `maxCount` entries from queue offset `startIndex`, never past the end of that file's written
   * part (as getIndexBuffer); undefined when the file is gone or the offset is below the minimum.
   * A synchronous read: ConsumeQueue files are small and read right after they are written, so this
   * is a page-cache copy of a few microseconds, far below the cost of a round trip to the libuv pool.
   */
  readEntries(startIndex: number, maxCount: number): Buffer | undefined {
    const logic = startIndex * CQ_STORE_UNIT_SIZE;
    if (logic < this.minLogicOffset) return undefined;
    const ahead = this.readAhead.get(logic, maxCount * CQ_STORE_UNIT_SIZE);
    if (ahead) return ahead;
    if (this.pendingLen > 0) this.flushPending();
    const mf = this.mappedFileQueue.findMappedFileByOffset(logic);
    if (!mf) return undefined;
    const pos = logic - mf.fileFromOffset;
    const len = Math.min(maxCount * CQ_STORE_UNIT_SIZE, mf.committedPosition - pos);
    if (len <= 0) return Buffer.alloc(0);
    // more written entries than asked for: read ahead for the pulls that follow (a backlog)
    const aheadLen = Math.min(READ_AHEAD_BYTES, mf.committedPosition - pos);
    if (aheadLen > len && this.readAhead.load(mf, logic, pos, aheadLen)) {
      const got = this.readAhead.get(logic, len);
      if (got) return got;
    }
    const buf = Buffer.allocUnsafe(len);
    const n = mf.readSync(buf, 0, len, pos);
    if (n <= 0 && !mf.isAvailable()) return undefined;
    return n === len ? buf : buf.subarray(0, n - (n % CQ_STORE_UNIT_SIZE));
  }

  /**
   * CommitLog offset of the message at queue offset `index`, read apart from the pull path's read-ahead
   * (the drop-behind asks where lagging consumers will read next); undefined when not stored here.
   */
  commitLogOffsetAt(index: number): number | undefined {
    const logic = index * CQ_STORE_UNIT_SIZE;
    if (logic < this.minLogicOffset) return undefined;
    if (this.pendingLen > 0) this.flushPending();
    const mf = this.mappedFileQueue.findMappedFileByOffset(logic);
    const pos = logic - (mf?.fileFromOffset ?? 0);
    if (!mf || pos + 8 > mf.committedPosition) return undefined;
    const b = Buffer.allocUnsafe(8);
    if (mf.readSync(b, 0, 8, pos) !== 8) return undefined;
    return b.readInt32BE(0) * 0x1_0000_0000 + b.readUInt32BE(4);
  }

  /** Queue offset of the first entry of the next file (rollNextFile). */
  rollNextFile(index: number): number {
    const units = this.mappedFileSize / CQ_STORE_UNIT_SIZE;
    return index + units - (index % units);
  }

  /**
   * Binary search, within the first file modified at or after `timestamp`, for the entry whose message
   * store time is closest to it (ConsumeQueue.getOffsetInQueueByTime, same tie rules).
   */
  async getOffsetInQueueByTime(timestamp: number): Promise<number> {
    if (this.pendingLen > 0) this.flushPending();
    const mf = this.mappedFileQueue.getMappedFileByTime(timestamp);
    if (!mf) return 0;
    const committed = mf.committedPosition - (mf.committedPosition % CQ_STORE_UNIT_SIZE);
    if (committed <= 0) return 0;
    let low = this.minLogicOffset > mf.fileFromOffset ? this.minLogicOffset - mf.fileFromOffset : 0;
    let high = committed - CQ_STORE_UNIT_SIZE;
    const minPhysicOffset = this.host.getMinPhyOffset();
    const entry = Buffer.allocUnsafe(CQ_STORE_UNIT_SIZE);
    let target = -1;
    let leftOffset = -1;
    let rightOffset = -1;
    let leftValue = -1;
    let rightValue = -1;
    while (high >= low) {
      const mid = Math.floor((low + high) / (2 * CQ_STORE_UNIT_SIZE)) * CQ_STORE_UNIT_SIZE;
      if ((await mf.read(entry, 0, CQ_STORE_UNIT_SIZE, mid)) !== CQ_STORE_UNIT_SIZE) return 0;
      const phyOffset = readLong(entry, 0);
      const msgSize = entry.readInt32BE(8);
      if (phyOffset < minPhysicOffset || msgSize === INT_MAX) {
        low = mid + CQ_STORE_UNIT_SIZE;
        leftOffset = mid;
        continue;
      }
      const storeTime = await this.host.pickupStoreTimestamp(phyOffset, msgSize);
      if (storeTime < 0) return 0;
      if (storeTime === timestamp) {
        target = mid;
        break;
      }
      if (storeTime > timestamp) {
        high = mid - CQ_STORE_UNIT_SIZE;
        rightOffset = mid;
        rightValue = storeTime;
      } else {
        low = mid + CQ_STORE_UNIT_SIZE;
        leftOffset = mid;
        leftValue = storeTime;
      }
    }
    let offset: number;
    if (target !== -1) offset = target;
    else if (leftValue === -1) offset = rightOffset;
    else if (rightValue === -1) offset = leftOffset;
    else
      offset = Math.abs(timestamp - leftValue) > Math.abs(timestamp - rightValue) ? rightOffset : leftOffset;
    if (offset < 0) offset = 0; // Java's integer division rounds -1 / 20 to 0 for the first file
    return Math.floor((mf.fileFromOffset + offset) / CQ_STORE_UNIT_SIZE);
  }

  /** Drops entries whose message starts at or beyond `phyOffset` (the CommitLog was cut there). */
  truncateDirtyLogicFiles(phyOffset: number): void {
    this.readAhead.drop();
    this.flushPending();
    for (;;) {
      const mf = this.mappedFileQueue.getLastMappedFile();
      if (!mf) break;
      // entries are ordered by commit log offset: keep [0, lo)
      let lo = 0;
      let hi = mf.committedPosition / CQ_STORE_UNIT_SIZE;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const keep =
          this.readEntry(mf, mid) &&
          (this.probe.readInt32BE(8) === INT_MAX || readLong(this.probe, 0) < phyOffset);
        if (keep) lo = mid + 1;
        else hi = mid;
      }
      if (lo === 0 && !(mf.committedPosition === 0 && this.mappedFileQueue.mappedFiles.length === 1)) {
        this.mappedFileQueue.deleteLastMappedFile();
        continue;
      }
      const keepBytes = lo * CQ_STORE_UNIT_SIZE;
      if (keepBytes < mf.committedPosition) mf.zeroTail(keepBytes);
      mf.setPositions(keepBytes);
      break;
    }
    this.mappedFileQueue.committedWhere = this.mappedFileQueue.getMaxOffset();
    if (this.mappedFileQueue.flushedWhere > this.mappedFileQueue.committedWhere)
      this.mappedFileQueue.flushedWhere = this.mappedFileQueue.committedWhere;
    this.maxPhysicOffset = this.readLastMessageEnd();
  }

  /**
   * Moves the minimum to the first entry whose message is still in the CommitLog (correctMinOffset).
   * Commit log offsets grow along the queue (padding counts as gone), so this is a binary search.
   */
  correctMinOffset(phyMinOffset: number): void {
    if (this.pendingLen > 0) this.flushPending();
    const mf = this.mappedFileQueue.getFirstMappedFile();
    if (!mf) return;
    let lo = 0;
    let hi = mf.committedPosition / CQ_STORE_UNIT_SIZE;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const gone =
        this.readEntry(mf, mid) &&
        (this.probe.readInt32BE(8) === INT_MAX || readLong(this.probe, 0) < phyMinOffset);
      if (gone) lo = mid + 1;
      else hi = mid;
    }
    this.minLogicOffset = Math.max(this.minLogicOffset, mf.fileFromOffset + lo * CQ_STORE_UNIT_SIZE);
  }

  /** Deletes files whose entries all point below `phyMinOffset`, then corrects the minimum. */
  deleteExpiredFile(phyMinOffset: number): number {
    if (this.pendingLen > 0) this.flushPending();
    const count = this.mappedFileQueue.deleteExpiredFileByOffset(phyMinOffset, CQ_STORE_UNIT_SIZE);
    this.correctMinOffset(phyMinOffset);
    return count;
  }

  flush(leastPages: number): Promise<boolean> {
    if (this.pendingLen > 0) this.flushPending();
    return this.mappedFileQueue.flush(leastPages);
  }

  destroy(): void {
    this.readAhead.drop();
    this.pendingLen = 0;
    this.maxPhysicOffset = -1;
    this.minLogicOffset = 0;
    this.mappedFileQueue.destroy();
  }
}
