import { totalmem } from 'node:os';
import type { Logger } from '../common/logger.js';
import type { MessageExtBrokerInner } from '../common/message.js';
import { MessageConst, MessageSysFlag, TopicValidator } from '../common/message-const.js';
import {
  BLANK_MAGIC_CODE,
  calMsgLength,
  crc32Masked,
  MESSAGE_MAGIC_CODE,
} from '../common/message-decoder.js';
import { offsetToHex } from '../common/message-id.js';
import { getPropertyFromString, putPropertyToString } from '../common/message-properties.js';
import { CommitLogDropBehind } from './commit-log-drop-behind.js';
import { CommitLogReader } from './commit-log-reader.js';
import { CommitLogWarmer } from './commit-log-warmer.js';
import { CommitLogWriteThread } from './commit-log-write-thread.js';
import { CommitLogWriter } from './commit-log-writer.js';
import type { MappedFile } from './mapped-file.js';
import { MappedFileQueue } from './mapped-file-queue.js';
import { type MessageStoreConfig, StorePath } from './message-store-config.js';
import type {
  AppendMessageResult,
  DispatchRequest,
  PutMessageResult,
  PutMessageStatus,
} from './put-message-status.js';
import { RecentWrites } from './recent-writes.js';
import { type Chunk, ChunkPool, type PutWaiter, WriteBatch } from './write-batch.js';

const TOTAL_PHYSICAL_MEMORY_SIZE = totalmem();

/** A message must leave room for a blank entry (TOTALSIZE + MAGIC) at the end of its file. */
export const END_FILE_MIN_BLANK_LENGTH = 8;
/**
 * A batch is sealed and written at this size even within one event-loop turn, so that no single write
 * grows past it and a turn with many appends answers its first ones before it encodes the rest.
 */
const SEAL_BATCH_BYTES = 128 * 1024;
/**
 * Just-written chunks kept readable from memory (RecentWrites). A batch is sealed at 128 KiB in a
 * 256 KiB chunk, so this holds ~8 MiB of messages: ~75 ms of writes at 100 MB/s.
 */
const RECENT_WRITES_BYTES = 16 * 1024 * 1024;
const TWO_POW_32 = 0x1_0000_0000;
const TRAN_MASK = MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;
const V6_FLAGS = MessageSysFlag.BORNHOST_V6_FLAG | MessageSysFlag.STOREHOSTADDRESS_V6_FLAG;

/** The msgId is built on first read: most callers never look (RocketMQ uses a Supplier likewise). */
class AppendResult implements AppendMessageResult {
  private id: string | undefined;
  constructor(
    readonly wroteOffset: number,
    readonly wroteBytes: number,
    readonly queueOffset: number,
    readonly storeTimestamp: number,
    readonly storeHostHex: string,
  ) {}
  get msgId(): string {
    if (this.id === undefined) this.id = this.storeHostHex + offsetToHex(this.wroteOffset);
    return this.id;
  }
}

/** Per topic: its UTF-8 bytes (encoded once) and the next queue offset of each queue (topicQueueTable). */
export interface TopicQueueInfo {
  readonly topicBytes: Buffer;
  readonly next: number[];
}

export interface CommitLogHost {
  readonly config: MessageStoreConfig;
  readonly log: Logger;
  now(): number;
  /** Store host bytes and their hex (offset msgId prefix). */
  readonly storeHost: Buffer;
  readonly delayLevels: readonly number[];
  /** Called, in commit log order, once a batch's bytes are in the file. */
  onBatchWritten(batch: WriteBatch): void;
}

function failed(status: PutMessageStatus, remark: string): PutMessageResult {
  return { status, remark };
}

/**
 * The CommitLog (store/CommitLog.java): every message of every topic, appended in RocketMQ's stored
 * layout to a MappedFileQueue. Appends are encoded at once, in call order, into the current
 * WriteBatch (queue offsets and physical offsets are assigned then); a batch is sealed on the next
 * turn of the event loop (setImmediate) or at SEAL_BATCH_BYTES, and written by CommitLogWriter with
 * one positioned write per file, completions in commit log order so that dispatch and
 * acknowledgements follow it.
 */
export class CommitLog extends CommitLogReader {
  readonly topicQueueTable = new Map<string, TopicQueueInfo>();
  /** Next byte to hand out. */
  private wroteOffset = 0;
  private currentFile: MappedFile | undefined;
  private current: WriteBatch | undefined;
  private readonly writer: CommitLogWriter;
  private immediateScheduled = false;
  private readonly pool: ChunkPool;
  /** Body CRCs are left to the write thread (filled in before the batch is written). */
  private readonly deferCrc: boolean;
  private readonly writeThread: CommitLogWriteThread | undefined;
  /** Reads ahead of the writer when commitLogWarmAheadBytes > 0. */
  readonly warmer: CommitLogWarmer;
  /** Gives flushed pages behind the writer back once its writes turn out cold (commitLogDropBehindBytes). */
  readonly dropBehind: CommitLogDropBehind;
  private chunk: Chunk | undefined;
  private readonly storeHostHex: string;
  private readonly syncFlush: boolean;
  /** Store time of the last message whose bytes are written (for the checkpoint after a flush). */
  lastWrittenStoreTimestamp = 0;

  constructor(private readonly host: CommitLogHost) {
    super(
      new MappedFileQueue(StorePath.commitLog(host.config), host.config.mappedFileSizeCommitLog, () =>
        host.now(),
      ),
      host.config.maxMessageSize,
    );
    this.storeHostHex = host.storeHost.toString('hex').toUpperCase();
    this.syncFlush = host.config.flushDiskType === 'SYNC_FLUSH';
    this.writeThread =
      host.config.commitLogWriteWorkerEnable && CommitLogWriteThread.available()
        ? new CommitLogWriteThread(host.log)
        : undefined;
    this.deferCrc = this.writeThread !== undefined;
    this.pool = new ChunkPool(this.writeThread);
    const inMemory = this.memoryForPageCacheByRatio();
    const keep = host.config.commitLogDropBehindBytes;
    this.dropBehind = new CommitLogDropBehind(
      this.mappedFileQueue,
      keep < 0 ? inMemory : keep,
      inMemory,
      host.log,
    );
    this.warmer = new CommitLogWarmer(
      this.mappedFileQueue,
      host.config.commitLogWarmAheadBytes,
      host.log,
      () => this.dropBehind.activate(),
    );
    this.dropBehind.onFirstDrop = () => this.warmer.stop();
    this.recent = new RecentWrites(RECENT_WRITES_BYTES, (c) => this.pool.give(c));
    this.writer = new CommitLogWriter(
      {
        now: () => host.now(),
        onWritten: (b) => this.onWritten(b),
        onFailed: (bs, err) => this.onWriteFailed(bs, err),
        observeWrite: (bytes, ms) => this.warmer.observeWrite(bytes, ms),
      },
      this.writeThread,
    );
  }

  load(): void {
    this.mappedFileQueue.load();
  }

  /** After recovery: appends continue at `offset`. */
  setWroteOffset(offset: number): void {
    this.wroteOffset = offset;
    this.mappedFileQueue.committedWhere = offset;
    this.currentFile = this.mappedFileQueue.findMappedFileByOffset(offset);
    this.dropBehind.startAt(offset);
  }

  /**
   * Bytes behind the CommitLog's end that readers may take to be in the page cache: RocketMQ's
   * accessMessageInMemoryMaxRatio of the machine's memory, or what is still cached once the
   * drop-behind gives older pages back (reading those synchronously would wait for the disk on the
   * event loop).
   */
  memoryForPageCache(): number {
    const ratio = this.memoryForPageCacheByRatio();
    return Math.min(ratio, this.dropBehind.cachedBytes());
  }

  private memoryForPageCacheByRatio(): number {
    return Math.floor(TOTAL_PHYSICAL_MEMORY_SIZE * (this.host.config.accessMessageInMemoryMaxRatio / 100));
  }

  topicInfo(topic: string): TopicQueueInfo {
    let info = this.topicQueueTable.get(topic);
    if (!info) {
      info = { topicBytes: Buffer.from(topic, 'utf8'), next: [] };
      this.topicQueueTable.set(topic, info);
    }
    return info;
  }

  /** True while a write has been in flight longer than osPageCacheBusyTimeOutMills (isOSPageCacheBusy). */
  isOSPageCacheBusy(now?: number): boolean {
    const started = this.writer.oldestWriteStartedAt();
    // the clock only when a write is in flight: checked per send, and writes are mostly done by then
    return started > 0 && (now ?? this.host.now()) - started > this.host.config.osPageCacheBusyTimeOutMills;
  }

  /** Nothing appended that is not written yet (raw HA appends need the log to themselves). */
  isIdle(): boolean {
    return !this.current && this.writer.isIdle();
  }

  /** Bytes appended but not yet written. */
  pendingBytes(): number {
    return this.wroteOffset - this.mappedFileQueue.committedWhere;
  }

  /**
   * Appends one message (CommitLog.asyncPutMessage), answered without a promise (a chain of them per
   * message was ~0.2 us on the send path): a refused message's result is returned and `done` never
   * called; an appended one is answered through `done` once written (or flushed), which can be before
   * this returns.
   */
  appendMessage(msg: MessageExtBrokerInner, done: PutWaiter): PutMessageResult | undefined {
    let topic = msg.topic;
    let queueId = msg.queueId;
    let props = msg.propertiesString ?? '';
    const tranType = msg.sysFlag & TRAN_MASK;
    const consumable =
      tranType === MessageSysFlag.TRANSACTION_NOT_TYPE || tranType === MessageSysFlag.TRANSACTION_COMMIT_TYPE;
    let delayLevel = 0;
    if (consumable && topic !== TopicValidator.RMQ_SYS_SCHEDULE_TOPIC && props.length > 0) {
      delayLevel =
        msg.delayTimeLevel ??
        Number(getPropertyFromString(props, MessageConst.PROPERTY_DELAY_TIME_LEVEL) ?? 0) | 0;
      if (delayLevel > 0) {
        // as CommitLog.asyncPutMessage: park delayed messages in SCHEDULE_TOPIC_XXXX, queue level-1
        delayLevel = Math.min(delayLevel, this.host.delayLevels.length);
        props = putPropertyToString(props, MessageConst.PROPERTY_REAL_TOPIC, topic);
        props = putPropertyToString(props, MessageConst.PROPERTY_REAL_QUEUE_ID, String(queueId));
        props = putPropertyToString(props, MessageConst.PROPERTY_DELAY_TIME_LEVEL, String(delayLevel));
        topic = TopicValidator.RMQ_SYS_SCHEDULE_TOPIC;
        queueId = delayLevel - 1;
      }
    }
    if (queueId < 0) return failed('MESSAGE_ILLEGAL', `bad queueId ${queueId}`);
    const info = this.topicInfo(topic);
    const topicLen = info.topicBytes.length;
    if (topicLen > TopicValidator.TOPIC_MAX_LENGTH)
      return failed('MESSAGE_ILLEGAL', 'topic longer than 127 bytes');
    const propsLen = props.length === 0 ? 0 : Buffer.byteLength(props, 'utf8');
    if (propsLen > 32767) return failed('PROPERTIES_SIZE_EXCEEDED', `properties length ${propsLen} > 32767`);
    const storeHost = msg.storeHost ?? this.host.storeHost;
    let sysFlag = msg.sysFlag & ~V6_FLAGS;
    if (msg.bornHost.length === 20) sysFlag |= MessageSysFlag.BORNHOST_V6_FLAG;
    if (storeHost.length === 20) sysFlag |= MessageSysFlag.STOREHOSTADDRESS_V6_FLAG;
    const body = msg.body;
    const msgLen = calMsgLength(sysFlag, body.length, topicLen, propsLen);
    if (msgLen > this.host.config.maxMessageSize || msgLen + END_FILE_MIN_BLANK_LENGTH > this.fileSize)
      return failed('MESSAGE_ILLEGAL', `message size ${msgLen} exceeds maxMessageSize`);

    const batch = this.currentBatch();
    // one clock read per batch: a batch is encoded within one turn of the event loop
    const storeTimestamp = batch.storeTimestamp;
    if (this.isOSPageCacheBusy(storeTimestamp))
      return failed('OS_PAGECACHE_BUSY', 'a CommitLog write is taking too long');
    const offset = this.positionFor(batch, msgLen);
    if (offset < 0) return failed('CREATE_MAPEDFILE_FAILED', 'cannot create the next CommitLog file');
    const queueOffset = consumable ? (info.next[queueId] ?? 0) : 0;
    if (consumable) info.next[queueId] = queueOffset + 1;

    const at = this.reserve(batch, offset, msgLen);
    this.wroteOffset = offset + msgLen;
    batch.endOffset = this.wroteOffset;
    this.currentFile!.wrotePosition = this.wroteOffset - this.currentFile!.fileFromOffset;
    const chunk = this.chunk!;
    const dv = chunk.dv;
    const buf = chunk.buf;
    dv.setInt32(at, msgLen);
    dv.setInt32(at + 4, MESSAGE_MAGIC_CODE);
    const knownCrc = msg.bodyCRC;
    if (knownCrc !== undefined) dv.setInt32(at + 8, knownCrc);
    else if (!this.deferCrc) dv.setInt32(at + 8, crc32Masked(body));
    dv.setInt32(at + 12, queueId);
    dv.setInt32(at + 16, msg.flag);
    dv.setInt32(at + 20, Math.floor(queueOffset / TWO_POW_32));
    dv.setUint32(at + 24, queueOffset >>> 0);
    dv.setInt32(at + 28, Math.floor(offset / TWO_POW_32));
    dv.setUint32(at + 32, offset >>> 0);
    dv.setInt32(at + 36, sysFlag);
    dv.setInt32(at + 40, Math.floor(msg.bornTimestamp / TWO_POW_32));
    dv.setUint32(at + 44, msg.bornTimestamp >>> 0);
    let p = at + 48;
    buf.set(msg.bornHost, p);
    p += msg.bornHost.length;
    dv.setInt32(p, Math.floor(storeTimestamp / TWO_POW_32));
    dv.setUint32(p + 4, storeTimestamp >>> 0);
    p += 8;
    buf.set(storeHost, p);
    p += storeHost.length;
    dv.setInt32(p, msg.reconsumeTimes);
    dv.setInt32(p + 4, Math.floor(msg.preparedTransactionOffset / TWO_POW_32));
    dv.setUint32(p + 8, msg.preparedTransactionOffset >>> 0);
    dv.setInt32(p + 12, body.length);
    p += 16;
    if (this.deferCrc && knownCrc === undefined) batch.crcJobs.push(chunk.id, at + 8, p, body.length);
    buf.set(body, p);
    p += body.length;
    buf[p] = topicLen;
    buf.set(info.topicBytes, p + 1);
    p += 1 + topicLen;
    dv.setInt16(p, propsLen);
    // ASCII (byte length == char count, the usual case) is written as latin1: same bytes, half the cost
    if (propsLen > 0) buf.write(props, p + 2, propsLen, propsLen === props.length ? 'latin1' : 'utf8');

    let keys = msg.keys;
    let uniqKey = msg.uniqKey;
    if (keys === undefined && uniqKey === undefined && propsLen > 0) {
      keys = getPropertyFromString(props, MessageConst.PROPERTY_KEYS);
      uniqKey = getPropertyFromString(props, MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX);
    }
    const request: DispatchRequest = {
      topic,
      queueId,
      commitLogOffset: offset,
      msgSize: msgLen,
      tagsCode: delayLevel > 0 ? storeTimestamp + this.host.delayLevels[delayLevel - 1]! : msg.tagsCode,
      storeTimestamp,
      consumeQueueOffset: queueOffset,
      keys: keys ?? '',
      uniqKey,
      sysFlag,
      propertiesString: props,
      bornTimestamp: msg.bornTimestamp,
    };
    batch.requests.push(request);
    batch.lastStoreTimestamp = storeTimestamp;
    const result: PutMessageResult = {
      status: 'PUT_OK',
      result: new AppendResult(offset, msgLen, queueOffset, storeTimestamp, this.hexFor(storeHost)),
    };
    const waitFlush =
      this.syncFlush &&
      (msg.waitStoreMsgOK ??
        (propsLen === 0 ||
          getPropertyFromString(props, MessageConst.PROPERTY_WAIT_STORE_MSG_OK) !== 'false'));
    // the waiter first: sealing may write the batch (and answer its waiters) before afterAppend returns
    batch.addWaiter(done, result, waitFlush);
    this.afterAppend(batch);
    return undefined;
  }

  /**
   * SEND_BATCH_MESSAGE: the messages (one topic and queue, as RocketMQ requires) are stored as
   * individual entries with consecutive queue offsets, all in one file, answered together.
   */
  putMessages(msgs: readonly MessageExtBrokerInner[]): Promise<PutMessageResult> {
    if (msgs.length === 0) return Promise.resolve(failed('MESSAGE_ILLEGAL', 'empty batch'));
    const first = msgs[0]!;
    let total = 0;
    let wire = 0;
    for (const m of msgs) {
      if (m.topic !== first.topic || m.queueId !== first.queueId)
        return Promise.resolve(failed('MESSAGE_ILLEGAL', 'a batch must target one topic and queue'));
      if ((m.sysFlag & TRAN_MASK) !== MessageSysFlag.TRANSACTION_NOT_TYPE)
        return Promise.resolve(failed('MESSAGE_ILLEGAL', 'batch messages cannot be transactional'));
      const props = m.propertiesString ?? '';
      if (getPropertyFromString(props, MessageConst.PROPERTY_DELAY_TIME_LEVEL) !== undefined)
        return Promise.resolve(failed('MESSAGE_ILLEGAL', 'batch messages cannot be delayed'));
      const propsLen = Buffer.byteLength(props, 'utf8');
      if (propsLen > 32767)
        return Promise.resolve(failed('PROPERTIES_SIZE_EXCEEDED', 'properties exceed 32767 bytes'));
      const storeHost = m.storeHost ?? this.host.storeHost;
      const sysFlag =
        (m.bornHost.length === 20 ? MessageSysFlag.BORNHOST_V6_FLAG : 0) |
        (storeHost.length === 20 ? MessageSysFlag.STOREHOSTADDRESS_V6_FLAG : 0);
      total += calMsgLength(sysFlag, m.body.length, Buffer.byteLength(m.topic), propsLen);
      wire += 20 + m.body.length + 2 + propsLen;
    }
    // RocketMQ bounds the batch body (the wire form) by maxMessageSize; the stored batch must fit a file
    if (wire > this.host.config.maxMessageSize || total + END_FILE_MIN_BLANK_LENGTH > this.fileSize)
      return Promise.resolve(failed('MESSAGE_ILLEGAL', `batch size ${wire} exceeds maxMessageSize`));
    const batch = this.currentBatch();
    if (this.positionFor(batch, total) < 0)
      return Promise.resolve(failed('CREATE_MAPEDFILE_FAILED', 'cannot create the next CommitLog file'));
    const parts: Promise<PutMessageResult>[] = [];
    for (const m of msgs)
      parts.push(
        new Promise((resolve) => {
          const refused = this.appendMessage(m, resolve);
          if (refused) resolve(refused);
        }),
      );
    return Promise.all(parts).then((rs) => {
      const bad = rs.find((r) => r.status !== 'PUT_OK' && r.status !== 'FLUSH_DISK_TIMEOUT');
      if (bad) return bad;
      const results = rs.map((r) => r.result!);
      const timeout = rs.find((r) => r.status !== 'PUT_OK');
      return { status: timeout?.status ?? 'PUT_OK', result: results[0], results };
    });
  }

  private readonly hexCache = new Map<Buffer, string>();

  private hexFor(storeHost: Buffer): string {
    if (storeHost === this.host.storeHost) return this.storeHostHex;
    let hex = this.hexCache.get(storeHost);
    if (hex === undefined) {
      hex = storeHost.toString('hex').toUpperCase();
      if (this.hexCache.size > 1024) this.hexCache.clear();
      this.hexCache.set(storeHost, hex);
    }
    return hex;
  }

  private currentBatch(): WriteBatch {
    if (!this.current) {
      this.current = new WriteBatch(this.wroteOffset, this.host.now());
      this.chunk = undefined;
    }
    return this.current;
  }

  /**
   * Where `len` bytes go: here, or after a blank entry that closes the current file when they do
   * not fit with END_FILE_MIN_BLANK_LENGTH to spare. -1 when the next file cannot be created.
   */
  private positionFor(batch: WriteBatch, len: number): number {
    let offset = this.wroteOffset;
    let file = this.currentFile;
    if (!file) {
      try {
        file = this.mappedFileQueue.getOrCreateMappedFile(offset);
      } catch (err) {
        this.host.log.error({ err, offset }, 'create CommitLog file failed');
        return -1;
      }
      this.currentFile = file;
    }
    const filePos = offset - file.fileFromOffset;
    const remaining = this.fileSize - filePos;
    if (len + END_FILE_MIN_BLANK_LENGTH <= remaining) return offset;
    const at = this.reserve(batch, offset, END_FILE_MIN_BLANK_LENGTH);
    file.wrotePosition = this.fileSize;
    this.chunk!.dv.setInt32(at, remaining);
    this.chunk!.dv.setInt32(at + 4, BLANK_MAGIC_CODE);
    offset += remaining;
    this.wroteOffset = offset;
    batch.endOffset = offset;
    this.currentFile = undefined;
    try {
      this.currentFile = this.mappedFileQueue.getOrCreateMappedFile(offset);
    } catch (err) {
      this.host.log.error({ err, offset }, 'create CommitLog file failed');
      return -1;
    }
    return offset;
  }

  /**
   * Room for `len` bytes at commit log `offset` (in this.currentFile): returns the position in
   * this.chunk. The caller moves wroteOffset.
   */
  private reserve(batch: WriteBatch, offset: number, len: number): number {
    const file = this.currentFile!;
    const filePos = offset - file.fileFromOffset;
    let chunk = this.chunk;
    if (!chunk || chunk.buf.length - chunk.pos < len) {
      chunk = this.pool.take(len);
      batch.chunks.push(chunk);
      this.chunk = chunk;
    }
    const segs = batch.segments;
    let seg = segs[segs.length - 1];
    if (!seg || seg.file !== file || seg.chunk !== chunk || seg.filePos + (seg.end - seg.start) !== filePos) {
      seg = { file, filePos, chunk, start: chunk.pos, end: chunk.pos };
      segs.push(seg);
    }
    const at = chunk.pos;
    chunk.pos += len;
    seg.end += len;
    batch.bytes += len;
    return at;
  }

  private afterAppend(batch: WriteBatch): void {
    if (batch.bytes >= SEAL_BATCH_BYTES) {
      this.seal();
    } else if (!this.immediateScheduled) {
      this.immediateScheduled = true;
      setImmediate(this.onImmediate);
    }
  }

  private readonly onImmediate = (): void => {
    this.immediateScheduled = false;
    this.seal();
  };

  private seal(): void {
    const batch = this.current;
    this.current = undefined;
    this.chunk = undefined;
    if (batch && batch.bytes > 0) {
      this.writer.submit(batch);
      this.warmer.advance(this.wroteOffset);
    }
  }

  private onWritten(batch: WriteBatch): void {
    const now = this.host.now();
    for (const s of batch.segments) {
      let end = s.filePos + (s.end - s.start);
      // a file closed by a blank entry is complete: readers (HA) see it to its end, as RocketMQ does
      if (s.file.wrotePosition === this.fileSize && batch.endOffset >= s.file.fileFromOffset + this.fileSize)
        end = this.fileSize;
      if (end > s.file.committedPosition) s.file.committedPosition = end;
      s.file.lastModifiedTimestamp = now;
      s.file.storeTimestamp = batch.lastStoreTimestamp;
    }
    this.mappedFileQueue.committedWhere = batch.endOffset;
    if (batch.lastStoreTimestamp > 0) this.lastWrittenStoreTimestamp = batch.lastStoreTimestamp;
    this.recent!.add(batch);
    this.host.onBatchWritten(batch);
  }

  /**
   * A failed write fails its batch and everything appended after it, and hands their space and
   * queue offsets out again: nothing after a hole may be acknowledged, since recovery stops at it.
   */
  private onWriteFailed(failedBatches: WriteBatch[], err: unknown): void {
    const first = failedBatches[0]!;
    this.host.log.error({ err, offset: first.startOffset }, 'CommitLog write failed');
    if (this.current) failedBatches.push(this.current);
    this.current = undefined;
    this.chunk = undefined;
    this.wroteOffset = first.startOffset;
    for (const mf of this.mappedFileQueue.mappedFiles) {
      const end = mf.fileFromOffset + mf.wrotePosition;
      if (end > first.startOffset)
        mf.wrotePosition = Math.max(mf.committedPosition, first.startOffset - mf.fileFromOffset, 0);
    }
    this.currentFile = this.mappedFileQueue.findMappedFileByOffset(first.startOffset);
    for (const b of failedBatches) {
      for (const r of b.requests) {
        const info = this.topicQueueTable.get(r.topic);
        const next = info?.next[r.queueId];
        const tran = r.sysFlag & TRAN_MASK;
        const consumable =
          tran === MessageSysFlag.TRANSACTION_NOT_TYPE || tran === MessageSysFlag.TRANSACTION_COMMIT_TYPE;
        if (info && next !== undefined && consumable)
          info.next[r.queueId] = Math.min(next, r.consumeQueueOffset);
      }
      for (const r of b.results) {
        r.status = 'UNKNOWN_ERROR';
        r.remark = `CommitLog write failed: ${err instanceof Error ? err.message : String(err)}`;
      }
      b.resolveAll();
      for (const c of b.chunks) this.pool.give(c);
    }
  }

  /** Stops the write thread (after waitWritten, at shutdown). */
  async closeWriter(): Promise<void> {
    this.warmer.stop();
    await this.warmer.whenIdle();
    await this.writeThread?.terminate();
  }

  /** Resolves when every append so far is written (shutdown, tests). */
  waitWritten(): Promise<void> {
    this.seal();
    return this.writer.waitIdle();
  }
}
