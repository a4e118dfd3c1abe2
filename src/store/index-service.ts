import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import { MessageConst } from '../common/message-const.js';
import { javaStringHashCode } from '../common/tag-hash.js';
import { entersIndex } from './commit-log-scanner.js';
import { IndexFile, indexKeyHash } from './index-file.js';
import type { DispatchRequest } from './put-message-status.js';
import type { StoreCheckpoint } from './store-checkpoint.js';

/** UtilAll.timeMillisToHumanString: yyyyMMddHHmmssSSS in local time, the index file name. */
export function timeMillisToHumanString(t: number): string {
  const d = new Date(t);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(
    d.getSeconds(),
  )}${p(d.getMilliseconds(), 3)}`;
}

export interface QueryOffsetResult {
  phyOffsets: number[];
  indexLastUpdateTimestamp: number;
  indexLastUpdatePhyoffset: number;
}

/** Index entries gathered in memory before one write (20 bytes each). */
const INDEX_PENDING_WRITE_BYTES = 64 * 1024;

/**
 * The message index (store/index/IndexService.java): `topic#key` for every KEYS word and for the
 * UNIQ_KEY of each message, with its store time, in IndexFiles named by creation time.
 */
export class IndexService {
  readonly indexFileList: IndexFile[] = [];
  private readonly dirty = new Set<IndexFile>();
  /** Hash of "topic#" of the last message indexed (consecutive messages mostly share a topic). */
  private seedTopic = '';
  private topicSeed = 0;

  constructor(
    private readonly storePath: string,
    private readonly hashSlotNum: number,
    private readonly indexNum: number,
    private readonly maxMsgsNumBatch: number,
    /** The store's checkpoint (opened at load, after this service is built). */
    private readonly getCheckpoint: () => StoreCheckpoint,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {}

  /**
   * Opens the files in name order. After a crash (`!lastExitOK`), RocketMQ deletes files written
   * after the index checkpoint and relies on re-dispatch; here their entries are trusted (written
   * before their header counted them) and only their slots are rebuilt, so nothing indexed is lost.
   */
  load(lastExitOK: boolean): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.storePath).filter((n) => /^\d{17}$/.test(n));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    names.sort();
    for (const name of names) {
      const f = IndexFile.load(join(this.storePath, name), this.hashSlotNum, this.indexNum);
      this.indexFileList.push(f);
    }
    const last = this.indexFileList[this.indexFileList.length - 1];
    for (const f of this.indexFileList) {
      const suspect = !lastExitOK && f.endTimestamp > this.getCheckpoint().indexMsgTimestamp;
      if (f === last && !f.isWriteFull()) {
        // after a clean stop the slots on disk are whole (shutdown writes them); after a crash they may lag
        if (lastExitOK) f.loadSlots();
        else f.rebuildSlots();
      } else if (suspect) {
        f.rebuildSlots();
        f.flush().catch((err: unknown) => this.log.error({ err }, 'index file flush failed'));
      }
    }
  }

  /** After the CommitLog was cut at `phyOffset`: no index entry may point at or past it. */
  truncate(phyOffset: number): void {
    while (this.indexFileList.length > 0) {
      const last = this.indexFileList[this.indexFileList.length - 1]!;
      if (last.endPhyOffset < phyOffset) return;
      if (last.beginPhyOffset >= phyOffset && this.indexFileList.length > 1) {
        last.destroy();
        this.indexFileList.pop();
        continue;
      }
      last.truncate(phyOffset);
      return;
    }
  }

  /** The commit log offset up to which messages are indexed. */
  getEndPhyOffset(): number {
    return this.indexFileList[this.indexFileList.length - 1]?.endPhyOffset ?? 0;
  }

  private getAndCreateLastIndexFile(): IndexFile {
    const last = this.indexFileList[this.indexFileList.length - 1];
    if (last && !last.isWriteFull()) return last;
    let t = this.now();
    let path = join(this.storePath, timeMillisToHumanString(t));
    // several files a millisecond only happen with tiny test sizes; names must stay unique and ordered
    while (fs.existsSync(path) || (last && path <= last.fileName))
      path = join(this.storePath, timeMillisToHumanString(++t));
    fs.mkdirSync(this.storePath, { recursive: true });
    const f = IndexFile.create(
      path,
      this.hashSlotNum,
      this.indexNum,
      last?.endPhyOffset ?? 0,
      last?.endTimestamp ?? 0,
      this.now(),
    );
    this.indexFileList.push(f);
    if (last) {
      // as IndexService: a full file is flushed, then the checkpoint records its end time
      const endTimestamp = last.endTimestamp;
      last
        .flush()
        .then(() => {
          const cp = this.getCheckpoint();
          if (endTimestamp > cp.indexMsgTimestamp) cp.indexMsgTimestamp = endTimestamp;
          return cp.flush();
        })
        .catch((err: unknown) => this.log.error({ err }, 'index file flush failed'));
    }
    return f;
  }

  /** IndexService.buildIndex for one dispatched message; call flushPending() after the batch. */
  buildIndex(req: DispatchRequest): void {
    let f = this.getAndCreateLastIndexFile();
    // endPhyOffset is the offset of the last message indexed (RocketMQ skips only below it, which
    // indexes that message twice when recovery re-dispatches it)
    const end = f.endPhyOffset;
    if (req.commitLogOffset < end) return;
    if (req.commitLogOffset === end && (f.indexCount > 1 || this.indexFileList.length > 1)) return;
    if (!entersIndex(req.sysFlag)) return;
    if (req.topic !== this.seedTopic) {
      this.seedTopic = req.topic;
      this.topicSeed = javaStringHashCode('#', javaStringHashCode(req.topic));
    }
    const topicSeed = this.topicSeed;
    if (req.uniqKey) f = this.putKey(f, javaStringHashCode(req.uniqKey, topicSeed), req);
    const keys = req.keys;
    if (keys) {
      let start = 0;
      while (start <= keys.length) {
        let end = keys.indexOf(MessageConst.KEY_SEPARATOR, start);
        if (end < 0) end = keys.length;
        if (end > start) {
          let h = topicSeed;
          for (let i = start; i < end; i++) h = (Math.imul(31, h) + keys.charCodeAt(i)) | 0;
          f = this.putKey(f, h, req);
        }
        start = end + 1;
      }
    }
  }

  private putKey(f: IndexFile, javaHash: number, req: DispatchRequest): IndexFile {
    const keyHash = indexKeyHash(javaHash);
    while (!f.putKey(keyHash, req.commitLogOffset, req.storeTimestamp)) {
      f.flushPending();
      f = this.getAndCreateLastIndexFile();
    }
    this.dirty.add(f);
    return f;
  }

  /** Writes every file's pending entries. */
  flushPending(): void {
    for (const f of this.dirty) f.flushPending();
    this.dirty.clear();
  }

  /**
   * After a dispatch batch: a file's entries are written once INDEX_PENDING_WRITE_BYTES gathered (one
   * write per ~1,600 keys instead of one entries write and one header write per batch). Queries,
   * truncation, roll-over, shutdown and the periodic flush write the rest first; the periodic flush
   * does so before the store's logics checkpoint moves, so after a crash recovery's re-dispatch still
   * starts at or before any entry that was only in memory.
   */
  flushPendingIfLarge(): void {
    for (const f of this.dirty) {
      if (f.pendingBytes() < INDEX_PENDING_WRITE_BYTES) continue;
      f.flushPending();
      this.dirty.delete(f);
    }
  }

  /** Periodic: pending entries, then the writable file's slots and header to disk, fsynced. */
  async flush(): Promise<void> {
    this.flushPending();
    const last = this.indexFileList[this.indexFileList.length - 1];
    if (last && !last.isWriteFull()) await last.flush();
  }

  /** IndexService.queryOffset: newest files first, stopping at files older than `begin`. */
  async queryOffset(
    topic: string,
    key: string,
    maxNum: number,
    begin: number,
    end: number,
  ): Promise<QueryOffsetResult> {
    const phyOffsets: number[] = [];
    let indexLastUpdateTimestamp = 0;
    let indexLastUpdatePhyoffset = 0;
    maxNum = Math.min(maxNum, this.maxMsgsNumBatch);
    const keyHash = indexKeyHash(javaStringHashCode(key, javaStringHashCode('#', javaStringHashCode(topic))));
    const files = this.indexFileList.slice();
    for (let i = files.length; i > 0; i--) {
      const f = files[i - 1]!;
      if (i === files.length) {
        indexLastUpdateTimestamp = f.endTimestamp;
        indexLastUpdatePhyoffset = f.endPhyOffset;
      }
      if (f.isTimeMatched(begin, end)) await f.selectPhyOffset(phyOffsets, keyHash, maxNum, begin, end);
      if (f.beginTimestamp < begin) break;
      if (phyOffsets.length >= maxNum) break;
    }
    return { phyOffsets, indexLastUpdateTimestamp, indexLastUpdatePhyoffset };
  }

  /** Deletes files (never the last) whose entries all point below `offset` (deleteExpiredFile). */
  deleteExpiredFile(offset: number): number {
    let count = 0;
    while (this.indexFileList.length > 1 && this.indexFileList[0]!.endPhyOffset < offset) {
      this.indexFileList.shift()!.destroy(true);
      count++;
    }
    return count;
  }

  shutdown(): void {
    for (const f of this.indexFileList) f.shutdown();
  }

  destroy(): void {
    for (const f of this.indexFileList) f.destroy();
    this.indexFileList.length = 0;
  }
}
