import {
  MESSAGE_MAGIC_CODE,
  readLong,
  SYSFLAG_POSITION,
  storeTimestampPosition,
} from '../common/message-decoder.js';
import { CommitLogReadCache, READ_CACHE_CHUNK_BYTES } from './commit-log-read-cache.js';
import type { MappedFile } from './mapped-file.js';
import type { MappedFileQueue } from './mapped-file-queue.js';
import type { RecentWrites } from './recent-writes.js';

/**
 * Reading the CommitLog by physical offset (CommitLog.getMessage, getData, pickupStoreTimestamp):
 * only written bytes are visible, and a range whose file retention deleted reads as absent.
 */
export class CommitLogReader {
  protected readonly fileSize: number;
  /** What the writer just wrote, still in memory (CommitLog); reads of it copy instead of pread. */
  protected recent: RecentWrites | undefined;
  /** Older chunks that pulls of interleaved queues read (only when files hold whole chunks). */
  private readonly readCache: CommitLogReadCache | undefined;

  constructor(
    readonly mappedFileQueue: MappedFileQueue,
    protected readonly maxMessageSize: number,
  ) {
    this.fileSize = mappedFileQueue.mappedFileSize;
    this.readCache =
      this.fileSize % READ_CACHE_CHUNK_BYTES === 0
        ? new CommitLogReadCache((start, into) => this.readChunkSync(start, into))
        : undefined;
  }

  /** End of the written bytes. */
  getMaxOffset(): number {
    return this.mappedFileQueue.committedWhere;
  }

  /** Start of the first file, -1 when there is none. */
  getMinOffset(): number {
    return this.mappedFileQueue.getMinOffset();
  }

  /** Offset where the next file starts (rollNextFile). */
  rollNextFile(offset: number): number {
    return offset + this.fileSize - (offset % this.fileSize);
  }

  /** `size` bytes at `offset`, or undefined when that range is gone or not written yet. */
  async getData(offset: number, size: number): Promise<Buffer | undefined> {
    if (size <= 0) return undefined;
    const buf = Buffer.allocUnsafe(size);
    return (await this.readInto(offset, buf, 0, size)) ? buf : undefined;
  }

  /** Reads `len` bytes at `offset` into `into`; false when the range is gone or not fully written. */
  async readInto(offset: number, into: Buffer, intoOff: number, len: number): Promise<boolean> {
    const mf = this.writtenFile(offset, len);
    if (!mf) return false;
    if (this.recent?.read(offset, into, intoOff, len)) return true;
    return (await mf.read(into, intoOff, len, offset - mf.fileFromOffset)) === len;
  }

  readIntoSync(offset: number, into: Buffer, intoOff: number, len: number): boolean {
    const mf = this.writtenFile(offset, len);
    if (!mf) return false;
    if (this.recent?.read(offset, into, intoOff, len)) return true;
    return mf.readSync(into, intoOff, len, offset - mf.fileFromOffset) === len;
  }

  /**
   * As readIntoSync, for one message of a pull that picks messages out of a wider span (queues
   * interleaved): from the read cache's chunks. False when the cache cannot serve it (bytes not in a
   * fully written chunk, or no cache): the caller reads the general way.
   */
  readCachedSync(offset: number, into: Buffer, intoOff: number, len: number): boolean {
    return this.readCache?.copy(offset, len, into, intoOff) ?? false;
  }

  /** Chunks the read cache has read from the files (tests). */
  get readCacheLoads(): number {
    return this.readCache?.loads ?? 0;
  }

  private readChunkSync(start: number, into: Buffer): MappedFile | undefined {
    const mf = this.writtenFile(start, into.length);
    if (!mf) return undefined;
    return mf.readSync(into, 0, into.length, start - mf.fileFromOffset) === into.length ? mf : undefined;
  }

  /** The file holding [offset, offset + len) when all of it is written, else undefined. */
  private writtenFile(offset: number, len: number): MappedFile | undefined {
    const mf = this.mappedFileQueue.findMappedFileByOffset(offset);
    if (!mf || offset - mf.fileFromOffset + len > mf.committedPosition) return undefined;
    return mf;
  }

  /** One whole stored message at `offset` (its size read from the entry), undefined if none. */
  async getMessage(offset: number): Promise<Buffer | undefined> {
    const head = await this.getData(offset, 4);
    if (!head) return undefined;
    const size = head.readInt32BE(0);
    if (size <= 0 || size > this.maxMessageSize + 1024 * 1024) return undefined;
    const msg = await this.getData(offset, size);
    if (!msg || msg.readInt32BE(4) !== MESSAGE_MAGIC_CODE) return undefined;
    return msg;
  }

  /** Store time of the message at `offset` (pickupStoreTimestamp), -1 when unreadable. */
  async pickupStoreTimestamp(offset: number, size: number): Promise<number> {
    const len = Math.min(size, 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + 20 + 8);
    const head = await this.getData(offset, len);
    if (!head) return -1;
    const sysFlag = head.readInt32BE(SYSFLAG_POSITION);
    const pos = storeTimestampPosition(sysFlag);
    if (pos + 8 > head.length) return -1;
    return readLong(head, pos);
  }
}
