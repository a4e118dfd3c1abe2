import * as fs from 'node:fs';
import { join } from 'node:path';
import { componentLogger, type Logger } from '../common/logger.js';
import type { MessageExtBrokerInner } from '../common/message.js';
import { MixAll, TopicValidator } from '../common/message-const.js';
import { encodeSocketAddress } from '../common/message-id.js';
import { type ScheduledTask, Scheduler } from '../common/scheduler.js';
import { CommitLog, type CommitLogHost } from './commit-log.js';
import { entersConsumeQueue } from './commit-log-scanner.js';
import { ConsumeQueue } from './consume-queue.js';
import { FlushCommitLogService } from './flush-service.js';
import { type GetMessageContext, getMessage } from './get-message.js';
import { IndexService } from './index-service.js';
import type { MappedFileQueue } from './mapped-file-queue.js';
import { type MessageStoreConfig, parseDelayLevels, StorePath } from './message-store-config.js';
import type {
  DispatchRequest,
  GetMessageResult,
  MessageFilter,
  PutMessageResult,
} from './put-message-status.js';
import { StoreCheckpoint } from './store-checkpoint.js';
import { StoreCleaner } from './store-cleaner.js';
import { StoreError } from './store-error.js';
import { recoverCommitLog } from './store-recovery.js';
import { StoreStatsService } from './store-stats-service.js';
import type { WriteBatch } from './write-batch.js';

export type {
  AppendMessageResult,
  DispatchRequest,
  GetMessageResult,
  MessageFilter,
  PutMessageResult,
} from './put-message-status.js';

export interface MessageStoreOptions {
  /** "ip:port" of the broker, the store host of every message and the prefix of offset msgIds. */
  storeHost?: string;
  /** Periodic tasks (flush, cleanup, stats) and the store's clock; a fake clock makes tests fast. */
  scheduler?: Scheduler;
  /** Used fraction (0..1) of the disk holding a path; injectable so that tests can fill a disk. */
  diskUsage?: (path: string) => number;
}

export class StoreNotAvailableError extends StoreError {
  override readonly name = 'StoreNotAvailableError';
}

function statfsUsage(path: string): number {
  try {
    const s = fs.statfsSync(path);
    return s.blocks > 0 ? (s.blocks - s.bfree) / s.blocks : -1;
  } catch {
    return -1;
  }
}

/** Called for each stored message once its ConsumeQueue entry exists (long polling wakes on it). */
export type DispatchListener = (req: DispatchRequest) => void;

/**
 * The message store (store/DefaultMessageStore.java): wires CommitLog, ConsumeQueues, index,
 * flushing, recovery and retention, and answers the broker.
 */
export class DefaultMessageStore implements CommitLogHost, GetMessageContext {
  readonly log: Logger = componentLogger('store');
  readonly storeHost: Buffer;
  readonly delayLevels: readonly number[];
  readonly commitLog: CommitLog;
  readonly consumeQueueTable = new Map<string, ConsumeQueue[]>();
  readonly indexService: IndexService | undefined;
  readonly stats: StoreStatsService;
  checkpoint!: StoreCheckpoint;
  private readonly scheduler: Scheduler;
  private readonly ownScheduler: boolean;
  private readonly tasks: ScheduledTask[] = [];
  private readonly flushService: FlushCommitLogService;
  private readonly cleaner: StoreCleaner;
  private readonly listeners: DispatchListener[] = [];
  private readonly diskUsageFn: (path: string) => number;
  private readonly syncFlush: boolean;
  private loaded = false;
  private started = false;
  private shutdownDone = false;
  private diskFull = false;
  private logicsError = false;
  private lastCqFlushThorough = 0;

  constructor(
    readonly config: MessageStoreConfig,
    opts: MessageStoreOptions = {},
  ) {
    this.storeHost = encodeSocketAddress(opts.storeHost ?? '127.0.0.1:10911');
    this.ownScheduler = !opts.scheduler;
    this.scheduler =
      opts.scheduler ??
      new Scheduler(undefined, (name, err) => this.log.error({ err, task: name }, 'store task failed'));
    this.delayLevels = parseDelayLevels(config.messageDelayLevel);
    this.diskUsageFn = opts.diskUsage ?? statfsUsage;
    this.syncFlush = config.flushDiskType === 'SYNC_FLUSH';
    this.commitLog = new CommitLog(this);
    this.stats = new StoreStatsService(this.scheduler);
    this.flushService = new FlushCommitLogService(
      config,
      this.commitLog.mappedFileQueue,
      this.scheduler,
      () => this.commitLog.lastWrittenStoreTimestamp,
      (ts) => {
        if (ts > this.checkpoint.physicMsgTimestamp) this.checkpoint.physicMsgTimestamp = ts;
      },
      this.log,
    );
    if (config.messageIndexEnable) {
      this.indexService = new IndexService(
        StorePath.index(config),
        config.maxHashSlotNum,
        config.maxIndexNum,
        config.maxMsgsNumBatch,
        () => this.checkpoint,
        () => this.now(),
        this.log,
      );
    }
    this.cleaner = new StoreCleaner({
      config,
      log: this.log,
      commitLogQueue: this.commitLog.mappedFileQueue,
      commitLogPath: StorePath.commitLog(config),
      consumeQueuePath: StorePath.consumeQueue(config),
      indexService: this.indexService,
      now: () => this.now(),
      diskUsage: (p) => this.diskUsageFn(p),
      consumeQueues: () => this.consumeQueues(),
      setDiskFull: (full) => {
        if (full !== this.diskFull)
          this.log.warn({ full }, full ? 'disk almost full: refusing writes' : 'disk space OK again');
        this.diskFull = full;
      },
    });
  }

  now(): number {
    return this.scheduler.now();
  }

  get commitLogQueue(): MappedFileQueue {
    return this.commitLog.mappedFileQueue;
  }

  /** Opens the files and recovers (abnormally when the `abort` file says the last stop was a crash). */
  async load(): Promise<void> {
    const c = this.config;
    fs.mkdirSync(c.storePathRootDir, { recursive: true });
    const lastExitOK = !fs.existsSync(StorePath.abort(c));
    this.checkpoint = new StoreCheckpoint(StorePath.checkpoint(c));
    this.commitLog.load();
    this.loadConsumeQueues();
    this.indexService?.load(lastExitOK);
    let maxPhyOffsetOfConsumeQueue = 0;
    for (const cq of this.consumeQueues()) {
      cq.recover();
      if (cq.maxPhysicOffset > maxPhyOffsetOfConsumeQueue) maxPhyOffsetOfConsumeQueue = cq.maxPhysicOffset;
    }
    const processOffset = recoverCommitLog(this, lastExitOK, maxPhyOffsetOfConsumeQueue);
    this.commitLog.setWroteOffset(processOffset);
    this.recoverTopicQueueTable();
    this.loaded = true;
    this.log.info({ lastExitOK, maxPhyOffset: processOffset }, 'store loaded');
  }

  private loadConsumeQueues(): void {
    const root = StorePath.consumeQueue(this.config);
    let topics: string[];
    try {
      topics = fs.readdirSync(root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const topic of topics) {
      let ids: string[];
      try {
        ids = fs.readdirSync(join(root, topic));
      } catch {
        continue;
      }
      for (const id of ids) {
        if (!/^\d+$/.test(id)) continue;
        const cq = this.findOrCreateConsumeQueue(topic, Number(id));
        cq.load();
      }
    }
  }

  /** CommitLog's topicQueueTable from the ConsumeQueues; minimum offsets corrected (recoverTopicQueueTable). */
  private recoverTopicQueueTable(): void {
    const minPhyOffset = this.commitLog.getMinOffset();
    for (const cq of this.consumeQueues()) {
      this.commitLog.topicInfo(cq.topic).next[cq.queueId] = cq.getMaxOffsetInQueue();
      cq.correctMinOffset(minPhyOffset);
    }
  }

  /** Starts flushing, cleaning and stats, and marks the store as running (`abort` file). */
  async start(): Promise<void> {
    if (!this.loaded) throw new StoreError('load() must run before start()');
    const c = this.config;
    fs.writeFileSync(StorePath.abort(c), String(process.pid));
    this.flushService.start();
    this.lastCqFlushThorough = this.now();
    this.tasks.push(
      this.scheduler.every('flush-consumequeue', c.flushIntervalConsumeQueue, () =>
        this.flushConsumeQueues(false),
      ),
    );
    this.tasks.push(
      this.scheduler.every(
        'clean-files',
        c.cleanResourceInterval,
        () => this.cleanFilesPeriodically(),
        60_000,
      ),
    );
    this.stats.start();
    this.started = true;
  }

  async shutdown(): Promise<void> {
    if (this.shutdownDone) return;
    this.shutdownDone = true;
    this.started = false;
    for (const t of this.tasks) t.cancel();
    this.flushService.stop();
    if (this.ownScheduler) this.scheduler.stop();
    if (!this.loaded) return;
    await this.commitLog.waitWritten();
    await this.flushService.flushAll();
    await this.flushConsumeQueues(true);
    this.indexService?.shutdown();
    this.checkpoint.shutdown();
    this.commitLog.mappedFileQueue.shutdown();
    for (const cq of this.consumeQueues()) cq.mappedFileQueue.shutdown();
    fs.rmSync(StorePath.abort(this.config), { force: true });
    this.log.info({ maxPhyOffset: this.getMaxPhyOffset() }, 'store shut down');
  }

  /** FlushConsumeQueueService: ConsumeQueues (and the index) to disk; the checkpoint on thorough rounds. */
  private async flushConsumeQueues(all: boolean): Promise<void> {
    const now = this.now();
    let leastPages = this.config.flushConsumeQueueLeastPages;
    let thorough = all;
    if (now >= this.lastCqFlushThorough + this.config.flushConsumeQueueThoroughInterval) {
      this.lastCqFlushThorough = now;
      thorough = true;
    }
    if (thorough) leastPages = 0;
    const logicsTs = this.lastDispatchedStoreTimestamp;
    for (const cq of this.consumeQueues()) await cq.flush(leastPages);
    if (thorough) {
      await this.indexService?.flush();
      if (logicsTs > this.checkpoint.logicsMsgTimestamp) this.checkpoint.logicsMsgTimestamp = logicsTs;
      await this.checkpoint.flush();
    }
  }

  /** Runs one retention pass now (the periodic task's body; tests call it with a fake clock). */
  cleanFilesPeriodically(): { commitLogFilesDeleted: number } {
    return this.cleaner.run();
  }

  executeDeleteFilesManually(): void {
    this.cleaner.executeDeleteFilesManually();
  }

  isSpaceFull(): boolean {
    return this.cleaner.isSpaceFull();
  }

  *consumeQueues(): Iterable<ConsumeQueue> {
    for (const queues of this.consumeQueueTable.values()) for (const cq of queues) if (cq) yield cq;
  }

  findConsumeQueue(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.consumeQueueTable.get(topic)?.[queueId];
  }

  findOrCreateConsumeQueue(topic: string, queueId: number): ConsumeQueue {
    let queues = this.consumeQueueTable.get(topic);
    if (!queues) {
      queues = [];
      this.consumeQueueTable.set(topic, queues);
    }
    let cq = queues[queueId];
    if (!cq) {
      cq = new ConsumeQueue(
        topic,
        queueId,
        StorePath.consumeQueue(this.config),
        this.config.mappedFileSizeConsumeQueue,
        {
          now: () => this.now(),
          pickupStoreTimestamp: (o, s) => this.commitLog.pickupStoreTimestamp(o, s),
          getMinPhyOffset: () => this.getMinPhyOffset(),
          log: this.log,
        },
      );
      queues[queueId] = cq;
    }
    return cq;
  }

  /** Why a put cannot go in right now (checkStoreStatus), or undefined. */
  private checkStoreStatus(): PutMessageResult | undefined {
    if (!this.started) return { status: 'SERVICE_NOT_AVAILABLE', remark: 'message store is not running' };
    if (this.config.brokerRole === 'SLAVE')
      return { status: 'SERVICE_NOT_AVAILABLE', remark: 'message store is a slave: writes are refused' };
    if (this.diskFull) return { status: 'SERVICE_NOT_AVAILABLE', remark: 'disk full: writes are refused' };
    if (this.logicsError) return { status: 'SERVICE_NOT_AVAILABLE', remark: 'ConsumeQueue write error' };
    // OS_PAGECACHE_BUSY is checked by CommitLog.putMessage, with the store time it reads anyway
    return undefined;
  }

  putMessage(msg: MessageExtBrokerInner): Promise<PutMessageResult> {
    const refused = this.checkStoreStatus();
    if (refused) return Promise.resolve(refused);
    return this.commitLog.putMessage(msg);
  }

  putMessages(msgs: MessageExtBrokerInner[]): Promise<PutMessageResult> {
    const refused = this.checkStoreStatus();
    if (refused) return Promise.resolve(refused);
    return this.commitLog.putMessages(msgs);
  }

  private lastDispatchedStoreTimestamp = 0;
  private readonly dirtyQueues: ConsumeQueue[] = [];

  /** Dispatch (reput) of a written batch, then its acknowledgements (CommitLogHost). */
  onBatchWritten(batch: WriteBatch): void {
    try {
      this.dispatch(batch.requests);
    } catch (err) {
      // as makeLogicsQueueError: the messages are stored, but no more writes until someone looks
      this.logicsError = true;
      this.log.error({ err }, 'dispatch failed: refusing writes');
    }
    this.stats.putMessageTimesTotal += batch.requests.length;
    this.stats.putMessageSizeTotal += batch.bytes;
    for (const l of this.listeners) for (const r of batch.requests) l(r);
    if (this.syncFlush) {
      if (batch.resolveNoWait()) this.flushService.submit(batch);
    } else {
      batch.resolveAll();
    }
  }

  private dispatch(reqs: readonly DispatchRequest[]): void {
    const dirty = this.dirtyQueues;
    const index = this.indexService;
    let lastTopic = '';
    let lastQueues: ConsumeQueue[] | undefined;
    for (const r of reqs) {
      if (entersConsumeQueue(r.sysFlag)) {
        if (r.topic !== lastTopic) {
          lastTopic = r.topic;
          lastQueues = this.consumeQueueTable.get(r.topic);
        }
        const cq = lastQueues?.[r.queueId] ?? this.findOrCreateConsumeQueue(r.topic, r.queueId);
        const wasPending = cq.hasPending();
        if (
          cq.putMessagePositionInfo(r.commitLogOffset, r.msgSize, r.tagsCode, r.consumeQueueOffset) &&
          !wasPending
        )
          dirty.push(cq);
      }
      index?.buildIndex(r);
    }
    for (const cq of dirty) cq.flushPending();
    dirty.length = 0;
    index?.flushPending();
    const last = reqs[reqs.length - 1];
    if (last) this.lastDispatchedStoreTimestamp = last.storeTimestamp;
  }

  /** Re-dispatch during abnormal recovery (RecoveryTarget). */
  dispatchRecovered(reqs: DispatchRequest[]): void {
    this.dispatch(reqs);
  }

  /** The CommitLog is gone: so are ConsumeQueues and index (destroyLogics). */
  destroyLogics(): void {
    for (const cq of this.consumeQueues()) cq.destroy();
    this.consumeQueueTable.clear();
    this.indexService?.destroy();
  }

  deliverTime = (delayLevel: number, storeTimestamp: number): number => {
    const level = Math.min(delayLevel, this.delayLevels.length);
    const delay = this.delayLevels[level - 1];
    return delay === undefined ? storeTimestamp + 1000 : storeTimestamp + delay;
  };

  addDispatchListener(fn: DispatchListener): void {
    this.listeners.push(fn);
  }

  async getMessage(
    _group: string,
    topic: string,
    queueId: number,
    offset: number,
    maxMsgNums: number,
    maxTotalBytes = 0,
    filter?: MessageFilter,
  ): Promise<GetMessageResult> {
    if (this.shutdownDone || !this.loaded) throw new StoreNotAvailableError('message store is not running');
    const r = await getMessage(this, topic, queueId, offset, maxMsgNums, maxTotalBytes, filter);
    if (r.status === 'FOUND') {
      this.stats.getMessageTimesTotalFound++;
      this.stats.getMessageTransferedMsgCount += r.messageCount;
    } else this.stats.getMessageTimesTotalMiss++;
    return r;
  }

  getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.findConsumeQueue(topic, queueId)?.getMaxOffsetInQueue() ?? 0;
  }

  getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.findConsumeQueue(topic, queueId)?.getMinOffsetInQueue() ?? 0;
  }

  getMessageTotalInQueue(topic: string, queueId: number): number {
    return this.findConsumeQueue(topic, queueId)?.getMessageTotalInQueue() ?? 0;
  }

  async getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number): Promise<number> {
    const cq = this.findConsumeQueue(topic, queueId);
    return cq ? cq.getOffsetInQueueByTime(timestamp) : 0;
  }

  /** Commit log offset of the entry at `consumeQueueOffset`, 0 when none. */
  async getCommitLogOffsetInQueue(
    topic: string,
    queueId: number,
    consumeQueueOffset: number,
  ): Promise<number> {
    const e = this.findConsumeQueue(topic, queueId)?.readEntries(consumeQueueOffset, 1);
    return e && e.length >= 20 ? e.readInt32BE(0) * 0x1_0000_0000 + e.readUInt32BE(4) : 0;
  }

  /** Store time of the entry at `consumeQueueOffset`, -1 when none. */
  async getMessageStoreTimeStamp(
    topic: string,
    queueId: number,
    consumeQueueOffset: number,
  ): Promise<number> {
    const e = this.findConsumeQueue(topic, queueId)?.readEntries(consumeQueueOffset, 1);
    if (!e || e.length < 20) return -1;
    return this.commitLog.pickupStoreTimestamp(
      e.readInt32BE(0) * 0x1_0000_0000 + e.readUInt32BE(4),
      e.readInt32BE(8),
    );
  }

  /** With a queue: store time of its oldest message; without: of the oldest message in the CommitLog. -1 when none. */
  async getEarliestMessageTime(topic?: string, queueId?: number): Promise<number> {
    if (topic === undefined || queueId === undefined) {
      const min = this.getMinPhyOffset();
      return min < 0 ? -1 : this.commitLog.pickupStoreTimestamp(min, this.config.maxMessageSize);
    }
    const cq = this.findConsumeQueue(topic, queueId);
    if (!cq) return -1;
    return this.getMessageStoreTimeStamp(topic, queueId, cq.getMinOffsetInQueue());
  }

  /** One stored message (VIEW_MESSAGE_BY_ID), null when there is none at that offset. */
  async lookMessageByOffset(commitLogOffset: number): Promise<Buffer | null> {
    return (await this.commitLog.getMessage(commitLogOffset)) ?? null;
  }

  /**
   * QUERY_MESSAGE by key (DefaultMessageStore.queryMessage): up to three index passes, each ending
   * where the previous found its oldest match, until something is found.
   */
  async queryMessage(
    topic: string,
    key: string,
    maxNum: number,
    begin: number,
    end: number,
  ): Promise<{ buffers: Buffer[]; indexLastUpdateTimestamp: number; indexLastUpdatePhyoffset: number }> {
    const out = { buffers: [] as Buffer[], indexLastUpdateTimestamp: 0, indexLastUpdatePhyoffset: 0 };
    if (!this.indexService) return out;
    let lastQueryMsgTime = end;
    for (let i = 0; i < 3; i++) {
      const r = await this.indexService.queryOffset(topic, key, maxNum, begin, lastQueryMsgTime);
      if (r.phyOffsets.length === 0) break;
      r.phyOffsets.sort((a, b) => a - b);
      out.indexLastUpdateTimestamp = r.indexLastUpdateTimestamp;
      out.indexLastUpdatePhyoffset = r.indexLastUpdatePhyoffset;
      for (let m = 0; m < r.phyOffsets.length; m++) {
        const msg = await this.commitLog.getMessage(r.phyOffsets[m]!);
        if (!msg) continue;
        if (m === 0)
          lastQueryMsgTime = await this.commitLog.pickupStoreTimestamp(r.phyOffsets[m]!, msg.length);
        out.buffers.push(msg);
      }
      if (out.buffers.length > 0 || lastQueryMsgTime < begin) break;
    }
    return out;
  }

  getMinPhyOffset(): number {
    return this.commitLog.getMinOffset();
  }

  getMaxPhyOffset(): number {
    return this.commitLog.getMaxOffset();
  }

  getConfirmOffset(): number {
    return this.commitLog.getMaxOffset();
  }

  isOSPageCacheBusy(): boolean {
    return this.commitLog.isOSPageCacheBusy();
  }

  /** DELETE_TOPIC_IN_BROKER: the topics' ConsumeQueues go (their CommitLog entries age out). */
  async deleteTopics(topics: Iterable<string>): Promise<void> {
    for (const topic of topics) {
      const queues = this.consumeQueueTable.get(topic);
      if (!queues) continue;
      for (const cq of queues) cq?.destroy();
      this.consumeQueueTable.delete(topic);
      this.commitLog.topicQueueTable.delete(topic);
      try {
        fs.rmdirSync(join(StorePath.consumeQueue(this.config), topic));
      } catch {
        // not empty or gone
      }
    }
  }

  /** CLEAN_UNUSED_TOPIC: drops ConsumeQueues of topics not in `keep` (system topics excepted). */
  async cleanUnusedTopic(keep: Set<string>): Promise<number> {
    const gone: string[] = [];
    for (const topic of this.consumeQueueTable.keys()) {
      if (keep.has(topic) || topic === TopicValidator.RMQ_SYS_SCHEDULE_TOPIC) continue;
      if (topic === TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC || MixAll.isLmq(topic)) continue;
      gone.push(topic);
    }
    await this.deleteTopics(gone);
    return gone.length;
  }

  getRuntimeInfo(): Record<string, string> {
    const info = this.stats.getRuntimeInfo();
    info.commitLogDiskRatio = String(this.diskUsageFn(StorePath.commitLog(this.config)));
    info.consumeQueueDiskRatio = String(this.diskUsageFn(StorePath.consumeQueue(this.config)));
    info.commitLogMinOffset = String(this.getMinPhyOffset());
    info.commitLogMaxOffset = String(this.getMaxPhyOffset());
    info.dispatchBehindBytes = String(this.commitLog.pendingBytes());
    info.pageCacheLockTimeMills = String(this.commitLog.isOSPageCacheBusy() ? 1 : 0);
    return info;
  }
}
