import * as fs from 'node:fs';
import { componentLogger, type Logger } from '../common/logger.js';
import type { MessageExtBrokerInner } from '../common/message.js';
import { MessageConst, MixAll, TopicValidator } from '../common/message-const.js';
import { encodeSocketAddress } from '../common/message-id.js';
import { type ScheduledTask, Scheduler } from '../common/scheduler.js';
import { CommitLog, type CommitLogHost } from './commit-log.js';
import type { ConsumeQueue } from './consume-queue.js';
import { ConsumeQueueTable } from './consume-queue-table.js';
import { FlushCommitLogService } from './flush-service.js';
import { type GetMessageContext, getMessage } from './get-message.js';
import { RawCommitLogAppender, readRawCommitLog } from './ha-commit-log.js';
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
import { assertStoreNotInUse } from './store-lock.js';
import * as queries from './store-queries.js';
import { recoverCommitLog } from './store-recovery.js';
import { StoreStatsService } from './store-stats-service.js';
import type { PutWaiter, WriteBatch } from './write-batch.js';

export type {
  AppendMessageResult,
  DispatchRequest,
  GetMessageResult,
  MessageFilter,
  PutMessageResult,
} from './put-message-status.js';
export type { QueryMessageResult } from './store-queries.js';

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

const NO_WAIT_PROPERTIES = `${MessageConst.PROPERTY_WAIT_STORE_MSG_OK}\u0001false`;

/** Holds a finished put's answer until replication allows it (store/ha/HAService.afterPut). */
export interface ReplicaWaiter {
  /** False when no answer waits for a slave (any role but SYNC_MASTER): afterPut returns it as it is. */
  readonly synchronous: boolean;
  afterPut(
    r: PutMessageResult,
    propertiesString: string | undefined,
  ): Promise<PutMessageResult> | PutMessageResult;
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
  readonly queues: ConsumeQueueTable;
  readonly indexService: IndexService | undefined;
  readonly stats: StoreStatsService;
  checkpoint!: StoreCheckpoint;
  private readonly scheduler: Scheduler;
  private readonly ownScheduler: boolean;
  private readonly tasks: ScheduledTask[] = [];
  private readonly flushService: FlushCommitLogService;
  private readonly cleaner: StoreCleaner;
  private readonly raw: RawCommitLogAppender;
  private readonly listeners: DispatchListener[] = [];
  private replicaWaiter: ReplicaWaiter | undefined;
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
      new Scheduler(undefined, (task, err) => this.log.error({ err, task }, 'store task failed'));
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
        this.commitLog.dropBehind.afterFlush();
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
    this.queues = new ConsumeQueueTable(
      StorePath.consumeQueue(config),
      config.mappedFileSizeConsumeQueue,
      {
        now: () => this.now(),
        pickupStoreTimestamp: (o, s) => this.commitLog.pickupStoreTimestamp(o, s),
        getMinPhyOffset: () => this.getMinPhyOffset(),
        log: this.log,
      },
      this.indexService,
    );
    this.raw = new RawCommitLogAppender({
      queue: this.commitLog.mappedFileQueue,
      fileSize: config.mappedFileSizeCommitLog,
      deliverTime: this.deliverTime,
      setWroteOffset: (o) => this.commitLog.setWroteOffset(o),
      dispatch: (reqs) => this.dispatchAndNotify(reqs),
    });
    this.cleaner = new StoreCleaner({
      config,
      log: this.log,
      commitLogQueue: this.commitLog.mappedFileQueue,
      commitLogPath: StorePath.commitLog(config),
      consumeQueuePath: StorePath.consumeQueue(config),
      indexService: this.indexService,
      now: () => this.now(),
      diskUsage: (p) => this.diskUsageFn(p),
      consumeQueues: () => this.queues.all(),
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
    assertStoreNotInUse(StorePath.abort(c), c.storePathRootDir);
    fs.mkdirSync(c.storePathRootDir, { recursive: true });
    // as 4.9.8's DefaultMessageStore constructor (ensureDirOK): commitLogDiskRatio can be measured at once
    fs.mkdirSync(StorePath.commitLog(c), { recursive: true });
    fs.mkdirSync(StorePath.consumeQueue(c), { recursive: true });
    const lastExitOK = !fs.existsSync(StorePath.abort(c));
    this.checkpoint = new StoreCheckpoint(StorePath.checkpoint(c));
    this.commitLog.load();
    this.queues.load();
    this.indexService?.load(lastExitOK);
    let maxPhyOffsetOfConsumeQueue = 0;
    for (const cq of this.queues.all()) {
      cq.recover();
      if (cq.maxPhysicOffset > maxPhyOffsetOfConsumeQueue) maxPhyOffsetOfConsumeQueue = cq.maxPhysicOffset;
    }
    const processOffset = recoverCommitLog(
      {
        config: c,
        log: this.log,
        commitLogQueue: this.commitLog.mappedFileQueue,
        checkpoint: this.checkpoint,
        indexService: this.indexService,
        deliverTime: this.deliverTime,
        consumeQueues: () => this.queues.all(),
        dispatchRecovered: (reqs) => this.queues.dispatch(reqs),
        destroyLogics: () => {
          this.queues.destroyAll();
          this.indexService?.destroy();
        },
      },
      lastExitOK,
      maxPhyOffsetOfConsumeQueue,
    );
    this.commitLog.setWroteOffset(processOffset);
    this.raw.reputFromOffset = processOffset;
    // recoverTopicQueueTable: next queue offsets from the ConsumeQueues, minimums corrected
    const minPhyOffset = this.commitLog.getMinOffset();
    for (const cq of this.queues.all()) {
      this.commitLog.topicInfo(cq.topic).next[cq.queueId] = cq.getMaxOffsetInQueue();
      cq.correctMinOffset(minPhyOffset);
    }
    this.loaded = true;
    this.log.info({ lastExitOK, maxPhyOffset: processOffset }, 'store loaded');
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
      // RocketMQ's first cleanup runs a minute after start
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
    await this.commitLog.closeWriter();
    await this.flushService.flushAll();
    await this.flushConsumeQueues(true);
    this.indexService?.shutdown();
    this.checkpoint.shutdown();
    this.commitLog.mappedFileQueue.shutdown();
    for (const cq of this.queues.all()) cq.mappedFileQueue.shutdown();
    fs.rmSync(StorePath.abort(this.config), { force: true });
    this.log.info({ maxPhyOffset: this.getMaxPhyOffset() }, 'store shut down');
  }

  /** FlushConsumeQueueService: ConsumeQueues to disk; index and checkpoint on thorough rounds. */
  private async flushConsumeQueues(all: boolean): Promise<void> {
    const now = this.now();
    let thorough = all;
    if (now >= this.lastCqFlushThorough + this.config.flushConsumeQueueThoroughInterval) {
      this.lastCqFlushThorough = now;
      thorough = true;
    }
    const leastPages = thorough ? 0 : this.config.flushConsumeQueueLeastPages;
    const logicsTs = this.queues.lastDispatchedStoreTimestamp;
    for (const cq of this.queues.all()) await cq.flush(leastPages);
    if (thorough) {
      await this.indexService?.flush();
      if (logicsTs > this.checkpoint.logicsMsgTimestamp) this.checkpoint.logicsMsgTimestamp = logicsTs;
      await this.checkpoint.flush();
    }
  }

  /** One retention pass (the periodic task's body; tests call it under a fake clock). */
  cleanFilesPeriodically(): { commitLogFilesDeleted: number } {
    return this.cleaner.run();
  }

  /** TRIGGER_DELETE_FILES: the next passes delete expired files whatever the hour. */
  executeDeleteFilesManually(): void {
    this.cleaner.executeDeleteFilesManually();
  }

  isSpaceFull(): boolean {
    return this.cleaner.isSpaceFull();
  }

  consumeQueues(): Iterable<ConsumeQueue> {
    return this.queues.all();
  }

  findConsumeQueue(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.queues.find(topic, queueId);
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
    return new Promise((resolve) => this.putMessageThen(msg, resolve));
  }

  /**
   * putMessage through a callback, without a promise per message (CommitLog.appendMessage says why):
   * answered before this returns when refused. With SYNC_MASTER replication the answer waits for a
   * slave (ReplicaWaiter.afterPut).
   */
  putMessageThen(msg: MessageExtBrokerInner, done: PutWaiter): void {
    const refused = this.checkStoreStatus();
    if (refused) {
      done(refused);
      return;
    }
    const replica = this.replicaWaiter;
    let answer = done;
    if (replica?.synchronous) {
      // a put that does not wait (msg.waitStoreMsgOK false) is answered as one whose WAIT is "false"
      const props = msg.waitStoreMsgOK === false ? NO_WAIT_PROPERTIES : msg.propertiesString;
      answer = (r) => {
        const held = replica.afterPut(r, props);
        if (!(held instanceof Promise)) done(held);
        else
          held.then(done, (err: unknown) => {
            this.log.error({ err }, 'waiting for the slave failed');
            done({ status: 'UNKNOWN_ERROR', remark: String(err) });
          });
      };
    }
    const appendRefused = this.commitLog.appendMessage(msg, answer);
    if (appendRefused) done(appendRefused);
  }

  /** SEND_BATCH_MESSAGE: one topic and queue, consecutive queue offsets, answered together. */
  putMessages(msgs: MessageExtBrokerInner[]): Promise<PutMessageResult> {
    const refused = this.checkStoreStatus();
    if (refused) return Promise.resolve(refused);
    const put = this.commitLog.putMessages(msgs);
    const replica = this.replicaWaiter;
    return replica ? put.then((r) => replica.afterPut(r, msgs[0]?.propertiesString)) : put;
  }

  /** SYNC_MASTER (submitReplicaRequest): the HAService holds answers until a slave has the bytes. */
  setReplicaWaiter(w: ReplicaWaiter | undefined): void {
    this.replicaWaiter = w;
  }

  /** CommitLogHost: a batch is written; dispatch it, then answer its callers. */
  onBatchWritten(batch: WriteBatch): void {
    this.dispatchAndNotify(batch.requests);
    this.stats.putMessageTimesTotal += batch.requests.length;
    this.stats.putMessageSizeTotal += batch.bytes;
    this.stats.recordPutLatency(batch.requests.length, this.scheduler.now() - batch.storeTimestamp);
    if (this.syncFlush) {
      if (batch.resolveNoWait()) this.flushService.submit(batch);
    } else {
      batch.resolveAll();
    }
  }

  private dispatchAndNotify(reqs: DispatchRequest[]): void {
    try {
      this.queues.dispatch(reqs);
    } catch (err) {
      // as makeLogicsQueueError: the messages are stored, but no more writes until someone looks
      this.logicsError = true;
      this.log.error({ err }, 'dispatch failed: refusing writes');
    }
    for (const l of this.listeners) for (const r of reqs) l(r);
  }

  /** Deliver time of a delayed message (ScheduleMessageService.computeDeliverTimestamp). */
  readonly deliverTime = (delayLevel: number, storeTimestamp: number): number => {
    const delay = this.delayLevels[Math.min(delayLevel, this.delayLevels.length) - 1];
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
    return this.queues.find(topic, queueId)?.getMaxOffsetInQueue() ?? 0;
  }

  getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.queues.find(topic, queueId)?.getMinOffsetInQueue() ?? 0;
  }

  getMessageTotalInQueue(topic: string, queueId: number): number {
    return this.queues.find(topic, queueId)?.getMessageTotalInQueue() ?? 0;
  }

  /** SEARCH_OFFSET_BY_TIMESTAMP: the queue offset whose store time is closest to `timestamp`. */
  async getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number): Promise<number> {
    const cq = this.queues.find(topic, queueId);
    return cq ? cq.getOffsetInQueueByTime(timestamp) : 0;
  }

  private get queryContext(): queries.QueryContext {
    return {
      commitLog: this.commitLog,
      queues: this.queues,
      indexService: this.indexService,
      maxMessageSize: this.config.maxMessageSize,
    };
  }

  async getCommitLogOffsetInQueue(
    topic: string,
    queueId: number,
    consumeQueueOffset: number,
  ): Promise<number> {
    return queries.getCommitLogOffsetInQueue(this.queryContext, topic, queueId, consumeQueueOffset);
  }

  getMessageStoreTimeStamp(topic: string, queueId: number, consumeQueueOffset: number): Promise<number> {
    return queries.getMessageStoreTimeStamp(this.queryContext, topic, queueId, consumeQueueOffset);
  }

  /** With a queue: store time of its oldest message; without: of the oldest in the CommitLog; -1 when none. */
  getEarliestMessageTime(topic?: string, queueId?: number): Promise<number> {
    return queries.getEarliestMessageTime(this.queryContext, topic, queueId);
  }

  /** One stored message (VIEW_MESSAGE_BY_ID), null when there is none at that offset. */
  async lookMessageByOffset(commitLogOffset: number): Promise<Buffer | null> {
    return (await this.commitLog.getMessage(commitLogOffset)) ?? null;
  }

  /** QUERY_MESSAGE: messages of `topic` with `key` (a KEYS word or the UNIQ_KEY) stored in [begin, end]. */
  queryMessage(
    topic: string,
    key: string,
    maxNum: number,
    begin: number,
    end: number,
  ): Promise<queries.QueryMessageResult> {
    return queries.queryMessage(this.queryContext, topic, key, maxNum, begin, end);
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

  /** HA master: raw CommitLog bytes from `offset` (within one file), null when there are none. */
  readRawCommitLog(offset: number, maxBytes: number): Promise<Buffer | null> {
    return readRawCommitLog(this.commitLog.mappedFileQueue, offset, maxBytes);
  }

  /**
   * HA slave: appends replicated bytes at `startOffset`, which must be this store's end, and
   * dispatches the messages they complete. False when the offset does not match.
   */
  appendRawCommitLog(startOffset: number, data: Buffer): Promise<boolean> {
    if (this.shutdownDone || !this.loaded) return Promise.resolve(false);
    if (!this.commitLog.isIdle()) return Promise.resolve(false);
    return this.raw.append(startOffset, data);
  }

  /** DELETE_TOPIC_IN_BROKER: the topics' ConsumeQueues go (their CommitLog entries age out). */
  async deleteTopics(topics: Iterable<string>): Promise<void> {
    for (const topic of topics) {
      if (this.queues.deleteTopic(topic)) this.commitLog.topicQueueTable.delete(topic);
    }
  }

  /** CLEAN_UNUSED_TOPIC: drops ConsumeQueues of topics not in `keep` (system topics excepted). */
  async cleanUnusedTopic(keep: Set<string>): Promise<number> {
    const gone: string[] = [];
    for (const topic of this.queues.table.keys()) {
      if (keep.has(topic) || topic === TopicValidator.RMQ_SYS_SCHEDULE_TOPIC) continue;
      if (topic === TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC || MixAll.isLmq(topic)) continue;
      gone.push(topic);
    }
    await this.deleteTopics(gone);
    return gone.length;
  }

  /** The store's part of GET_BROKER_RUNTIME_INFO. */
  getRuntimeInfo(): Record<string, string> {
    const info = this.stats.getRuntimeInfo();
    const commitLogPath = StorePath.commitLog(this.config);
    info.commitLogDiskRatio = String(this.diskUsageFn(commitLogPath));
    info[`commitLogDiskRatio_${commitLogPath}`] = info.commitLogDiskRatio;
    info.consumeQueueDiskRatio = String(this.diskUsageFn(StorePath.consumeQueue(this.config)));
    info.commitLogMinOffset = String(this.getMinPhyOffset());
    info.commitLogMaxOffset = String(this.getMaxPhyOffset());
    info.dispatchBehindBytes = String(this.commitLog.pendingBytes());
    info.pageCacheLockTimeMills = String(this.commitLog.isOSPageCacheBusy() ? 1 : 0);
    return info;
  }
}
