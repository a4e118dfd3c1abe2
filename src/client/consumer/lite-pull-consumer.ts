import { componentLogger } from '../../common/logger.js';
import { buildSubscriptionData, type SubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';
import { MQAbortError, MQClientError } from '../errors.js';
import type {
  ConsumeFromWhere,
  ConsumeType,
  MessageModel,
  MQConsumerInner,
} from '../impl/mq-client-inner.js';
import type { MQClientInstance } from '../impl/mq-client-instance.js';
import { getOrCreateMQClientInstance } from '../impl/mq-client-manager.js';
import type { MessageExt } from '../message.js';
import { type MessageQueue, messageQueueKey } from '../message-queue.js';
import { buildSubscription, type SubscriptionExpression } from '../message-selector.js';
import { topicRouteDataToSubscribeInfo } from '../producer/topic-publish-info.js';
import { brokerOffsetLookup, computePullFromWhere, parseConsumeTimestamp } from './consume-from-where.js';
import { type ConsumerOptions, consumerOffsetApi, resolveAllocateStrategy } from './consumer-options.js';
import { defaultLocalOffsetStoreDir, LocalFileOffsetStore } from './local-file-offset-store.js';
import type { OffsetStore } from './offset-store.js';
import { ProcessQueue } from './process-queue.js';
import { PullAPIWrapper } from './pull-api-wrapper.js';
import { RebalanceImpl } from './rebalance-impl.js';
import { RemoteBrokerOffsetStore } from './remote-broker-offset-store.js';

const log = componentLogger('client.litepull');

export interface LitePullConsumerOptions extends ConsumerOptions {
  /** Commit what poll() returned every autoCommitIntervalMillis. Default true. */
  autoCommit?: boolean;
  autoCommitIntervalMillis?: number;
  /** Stop pulling when this many messages wait in all queues (pullThresholdForAll). Default 10000. */
  pullThresholdForAll?: number;
  pullThresholdForQueue?: number;
  /** MiB. Default 100. */
  pullThresholdSizeForQueue?: number;
  consumeMaxSpan?: number;
  /** How long the broker may hold a pull with nothing new. Default 20000. */
  brokerSuspendMaxTimeMillis?: number;
  /** poll()'s default timeout (pollTimeoutMillis). Default 5000. */
  pollTimeoutMillis?: number;
}

/** One queue being read: its buffer, where the next pull starts, and a generation bumped by seek. */
interface QueueState {
  mq: MessageQueue;
  pq: ProcessQueue;
  nextOffset: number;
  /** Offset after the last message poll() returned, -1 when nothing was returned yet. */
  consumedOffset: number;
  generation: number;
  timer: NodeJS.Timeout | undefined;
}

interface CachedBatch {
  state: QueueState;
  generation: number;
  msgs: MessageExt[];
}

const DELAY_WHEN_FLOW_CONTROL = 50;
const DELAY_WHEN_EXCEPTION = 1000;

/**
 * A consumer the application pulls from (DefaultLitePullConsumer): `subscribe` (queues shared by the
 * group's rebalance) or `assign` (queues chosen by the caller), background pulls into a local cache,
 * `poll(timeout)`, `for await`, `seek`, and commits, automatic or manual.
 */
export class LitePullConsumer implements MQConsumerInner {
  readonly group: string;
  readonly messageModel: MessageModel;
  readonly consumeType: ConsumeType = 'CONSUME_ACTIVELY';
  readonly consumeFromWhere: ConsumeFromWhere;
  private readonly o: LitePullConsumerOptions;
  private readonly subscriptionsByTopic = new Map<string, SubscriptionData>();
  private assigned: MessageQueue[] | undefined;
  private readonly queues = new Map<string, QueueState>();
  private readonly cache: CachedBatch[] = [];
  private cachedCount = 0;
  private pollWaiters: (() => void)[] = [];
  private instance: MQClientInstance | undefined;
  private rebalance: RebalanceImpl | undefined;
  private offsetStore: OffsetStore | undefined;
  private pullAPI: PullAPIWrapper | undefined;
  private lastAutoCommit = Date.now();
  private assigning: Promise<void> = Promise.resolve();
  private consumeTimestamp = 0;
  private state: 'CREATE_JUST' | 'RUNNING' | 'SHUTDOWN_ALREADY' = 'CREATE_JUST';

  constructor(options: LitePullConsumerOptions) {
    if (!options.group) throw new MQClientError('consumerGroup is null');
    this.o = options;
    this.group = options.group;
    this.messageModel = options.messageModel ?? 'CLUSTERING';
    this.consumeFromWhere = options.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET';
  }

  /** Subscribes a topic: `'*'`, tags `'TagA || TagB'`, or SQL92 (`{ sql }` / `MessageSelector.bySql`). */
  subscribe(topic: string, subExpression: SubscriptionExpression = '*'): void {
    if (this.assigned) throw new MQClientError('Subscribe and assign are mutually exclusive.');
    const sd = buildSubscription(topic, subExpression);
    this.subscriptionsByTopic.set(topic, sd);
    if (this.state === 'RUNNING') {
      this.rebalance!.subscriptionInner.set(topic, sd);
      this.refreshAndRebalance().catch((err: unknown) =>
        log.warn({ err }, 'subscribe: route refresh failed'),
      );
    }
  }

  /** Reads exactly these queues, no rebalance. */
  assign(mqs: readonly MessageQueue[]): void {
    if (this.subscriptionsByTopic.size > 0)
      throw new MQClientError('Subscribe and assign are mutually exclusive.');
    this.assigned = [...mqs];
    for (const mq of mqs)
      if (!this.subscriptionsByTopic.has(mq.topic))
        this.subscriptionsByTopic.set(mq.topic, buildSubscriptionData(mq.topic, '*'));
    if (this.state === 'RUNNING') this.assigning = this.assignNow();
  }

  async start(): Promise<void> {
    if (this.state !== 'CREATE_JUST')
      throw new MQClientError(`The LitePullConsumer service state not OK, ${this.state}`);
    const o = this.o;
    this.consumeTimestamp = parseConsumeTimestamp(o.consumeTimestamp ?? Date.now() - 30 * 60_000);
    const instance = getOrCreateMQClientInstance(o);
    this.offsetStore =
      this.messageModel === 'BROADCASTING'
        ? new LocalFileOffsetStore(
            o.offsetStoreDir ?? defaultLocalOffsetStoreDir(),
            `${instance.config.clientIP}@${o.instanceName ?? 'DEFAULT'}`,
            this.group,
          )
        : new RemoteBrokerOffsetStore(this.group, consumerOffsetApi(instance));
    await this.offsetStore.load();
    this.rebalance = new RebalanceImpl(
      this.group,
      this.messageModel,
      this.consumeType,
      resolveAllocateStrategy(o.allocateMessageQueueStrategy),
      instance,
      {
        removeUnnecessaryMessageQueue: (mq) => this.releaseQueue(mq),
        computePullFromWhere: (mq) => this.computeStart(mq),
        removeDirtyOffset: (mq) => this.offsetStore!.removeOffset(mq),
        dispatchPullRequest: (reqs) => {
          for (const r of reqs) this.startQueue(r.messageQueue, r.processQueue, r.nextOffset);
        },
        messageQueueChanged: () => {},
      },
    );
    for (const [topic, sd] of this.subscriptionsByTopic) this.rebalance.subscriptionInner.set(topic, sd);
    instance.registerConsumer(this);
    this.instance = instance;
    this.pullAPI = new PullAPIWrapper(instance, this.group);
    this.state = 'RUNNING';
    instance.start();
    if (this.assigned) {
      this.assigning = this.assignNow();
      await this.assigning;
    } else await this.refreshAndRebalance();
  }

  private async refreshAndRebalance(): Promise<void> {
    const instance = this.instance!;
    await Promise.all(
      [...this.subscriptionsByTopic.keys()].map((t) => instance.updateTopicRouteInfoFromNameServer(t)),
    );
    await instance.sendHeartbeatToAllBroker();
    instance.rebalanceImmediately();
  }

  private computeStart(mq: MessageQueue): Promise<number> {
    return computePullFromWhere(
      mq,
      this.consumeFromWhere,
      this.consumeTimestamp,
      this.offsetStore!,
      brokerOffsetLookup(this.instance!),
    );
  }

  /** assign() is synchronous, as RocketMQ's; what it starts is awaited by seek and poll. */
  private assignNow(): Promise<void> {
    return this.updateAssignedQueues().catch((err: unknown) => log.warn({ err }, 'assign failed'));
  }

  private async updateAssignedQueues(): Promise<void> {
    const wanted = new Set((this.assigned ?? []).map(messageQueueKey));
    for (const [key, s] of this.queues) if (!wanted.has(key)) await this.releaseQueue(s.mq);
    for (const mq of this.assigned ?? []) {
      if (this.queues.has(messageQueueKey(mq))) continue;
      const offset = await this.computeStart(mq);
      if (offset < 0)
        throw new MQClientError(
          `cannot tell where to start reading ${mq.topic}:${mq.brokerName}:${mq.queueId}`,
        );
      this.startQueue(mq, new ProcessQueue(), offset);
    }
  }

  private startQueue(mq: MessageQueue, pq: ProcessQueue, nextOffset: number): void {
    const s: QueueState = { mq, pq, nextOffset, consumedOffset: -1, generation: 0, timer: undefined };
    this.queues.set(messageQueueKey(mq), s);
    this.schedulePull(s, 0);
  }

  /** A queue leaves us: commit what was polled from it, persist, forget. */
  private async releaseQueue(mq: MessageQueue): Promise<boolean> {
    const key = messageQueueKey(mq);
    const s = this.queues.get(key);
    if (s) {
      s.pq.dropped = true;
      if (s.timer) clearTimeout(s.timer);
      this.queues.delete(key);
      if (this.autoCommit && s.consumedOffset >= 0)
        this.offsetStore!.updateOffset(mq, s.consumedOffset, false);
    }
    await this.offsetStore!.persist(mq);
    this.offsetStore!.removeOffset(mq);
    return true;
  }

  private get autoCommit(): boolean {
    return this.o.autoCommit ?? true;
  }

  private schedulePull(s: QueueState, delayMs: number): void {
    if (this.state !== 'RUNNING' || s.pq.dropped) return;
    if (s.timer) clearTimeout(s.timer);
    const generation = s.generation;
    s.timer = setTimeout(() => {
      s.timer = undefined;
      this.pullOnce(s, generation).catch((err: unknown) => {
        log.warn({ err, mq: s.mq }, 'pull loop failed');
        this.schedulePull(s, DELAY_WHEN_EXCEPTION);
      });
    }, delayMs);
  }

  private async pullOnce(s: QueueState, generation: number): Promise<void> {
    if (this.state !== 'RUNNING' || s.pq.dropped || generation !== s.generation) return;
    const o = this.o;
    if (
      this.cachedCount > (o.pullThresholdForAll ?? 10_000) ||
      s.pq.msgCount > (o.pullThresholdForQueue ?? 1000) ||
      s.pq.msgSizeBytes > (o.pullThresholdSizeForQueue ?? 100) * 1024 * 1024 ||
      s.pq.maxSpan() > (o.consumeMaxSpan ?? 2000)
    ) {
      this.schedulePull(s, DELAY_WHEN_FLOW_CONTROL);
      return;
    }
    const sd = this.subscriptionsByTopic.get(s.mq.topic);
    if (!sd) return;
    s.pq.lastPullTimestamp = Date.now();
    const suspend = o.brokerSuspendMaxTimeMillis ?? 20_000;
    let result: Awaited<ReturnType<PullAPIWrapper['pullKernelImpl']>>;
    try {
      result = await this.pullAPI!.pullKernelImpl({
        mq: s.mq,
        subscription: sd,
        offset: s.nextOffset,
        maxNums: o.pullBatchSize ?? 10,
        commitOffset: 0,
        commitOffsetEnable: false,
        suspendTimeoutMillis: suspend,
        timeoutMillis: suspend + 10_000,
        litePull: true,
      });
    } catch (err) {
      if (this.state === 'RUNNING' && generation === s.generation)
        log.debug({ err, mq: s.mq }, 'pull failed');
      if (generation === s.generation) this.schedulePull(s, DELAY_WHEN_EXCEPTION);
      return;
    }
    // a seek or release happened meanwhile: this answer is for an offset nobody wants now
    if (this.state !== 'RUNNING' || s.pq.dropped || generation !== s.generation) return;
    switch (result.pullStatus) {
      case 'FOUND':
        s.nextOffset = result.nextBeginOffset;
        if (result.msgFoundList.length > 0) {
          s.pq.putMessage(result.msgFoundList);
          this.cache.push({ state: s, generation, msgs: result.msgFoundList });
          this.cachedCount += result.msgFoundList.length;
          this.wakePollers();
        }
        break;
      case 'OFFSET_ILLEGAL':
        log.warn(
          { mq: s.mq, offset: s.nextOffset, next: result.nextBeginOffset },
          'pull offset illegal, moving on',
        );
        s.nextOffset = result.nextBeginOffset;
        break;
      default:
        s.nextOffset = result.nextBeginOffset;
    }
    this.schedulePull(s, 0);
  }

  private wakePollers(): void {
    const w = this.pollWaiters;
    this.pollWaiters = [];
    for (const f of w) f();
  }

  /**
   * Messages pulled since the last poll (one pulled batch of one queue), waiting up to `timeoutMs` for
   * some; [] when none came. With autoCommit, offsets of what earlier polls returned are committed.
   */
  async poll(
    timeoutMs = this.o.pollTimeoutMillis ?? 5000,
    opts: { signal?: AbortSignal } = {},
  ): Promise<MessageExt[]> {
    if (this.state !== 'RUNNING') throw new MQClientError('The consumer is not running');
    await this.assigning;
    if (this.autoCommit && Date.now() - this.lastAutoCommit >= (this.o.autoCommitIntervalMillis ?? 5000)) {
      this.lastAutoCommit = Date.now();
      await this.commitSync();
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (opts.signal?.aborted) throw new MQAbortError();
      const batch = this.takeBatch();
      if (batch) return batch;
      const left = deadline - Date.now();
      if (left <= 0 || this.state !== 'RUNNING') return [];
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', done);
          // an idle consumer polls forever: do not let waiters of past polls pile up
          const i = this.pollWaiters.indexOf(done);
          if (i >= 0) this.pollWaiters.splice(i, 1);
          resolve();
        };
        const timer = setTimeout(done, left);
        opts.signal?.addEventListener('abort', done, { once: true });
        this.pollWaiters.push(done);
      });
    }
  }

  private takeBatch(): MessageExt[] | undefined {
    while (this.cache.length > 0) {
      const b = this.cache.shift()!;
      this.cachedCount -= b.msgs.length;
      if (b.state.pq.dropped || b.generation !== b.state.generation) continue;
      const offset = b.state.pq.removeMessage(b.msgs);
      if (offset >= 0) b.state.consumedOffset = offset;
      return b.msgs;
    }
    return undefined;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<MessageExt> {
    while (this.state === 'RUNNING') {
      const batch = await this.poll(1000);
      for (const m of batch) yield m;
    }
  }

  /** Commits the offsets after everything poll() returned, and writes them to the broker (or file). */
  async commitSync(): Promise<void> {
    for (const s of this.queues.values())
      if (s.consumedOffset >= 0) this.offsetStore!.updateOffset(s.mq, s.consumedOffset, false);
    await Promise.all([...this.queues.values()].map((s) => this.offsetStore!.persist(s.mq)));
  }

  /** Commits one queue's offset explicitly (the next message to read). */
  async commit(mq: MessageQueue, offset: number): Promise<void> {
    await this.offsetStore!.updateConsumeOffsetToStore(mq, offset);
  }

  /** The group's committed offset of a queue, as the broker (or file) has it; -1 when none. */
  committed(mq: MessageQueue): Promise<number> {
    return this.offsetStore!.readOffset(mq, 'READ_FROM_STORE');
  }

  /** Reads `mq` from `offset` on: drops what was pulled and not yet polled, and pulls again. */
  async seek(mq: MessageQueue, offset: number): Promise<void> {
    await this.assigning;
    const s = this.queues.get(messageQueueKey(mq));
    if (!s) throw new MQClientError('The message queue is not in assigned list, may be rebalancing');
    const lookup = this.instance!;
    const addr = lookup.findBrokerAddressInPublish(mq.brokerName);
    if (addr) {
      const timeout = lookup.config.requestTimeoutMs;
      const [min, max] = await Promise.all([
        lookup.api.getMinOffset(addr, mq.topic, mq.queueId, timeout),
        lookup.api.getMaxOffset(addr, mq.topic, mq.queueId, timeout),
      ]);
      if (offset < min || offset > max)
        throw new MQClientError(
          `Seek offset illegal, seek offset = ${offset}, min offset = ${min}, max offset = ${max}`,
        );
    }
    s.generation++;
    s.pq.clear();
    s.nextOffset = offset;
    s.consumedOffset = offset;
    this.schedulePull(s, 0);
  }

  async seekToBegin(mq: MessageQueue): Promise<void> {
    await this.seek(
      mq,
      await this.instance!.api.getMinOffset(
        await this.addrOf(mq),
        mq.topic,
        mq.queueId,
        this.instance!.config.requestTimeoutMs,
      ),
    );
  }

  async seekToEnd(mq: MessageQueue): Promise<void> {
    await this.seek(
      mq,
      await this.instance!.api.getMaxOffset(
        await this.addrOf(mq),
        mq.topic,
        mq.queueId,
        this.instance!.config.requestTimeoutMs,
      ),
    );
  }

  /** The first offset whose message was stored at or after `timestamp` (SEARCH_OFFSET_BY_TIMESTAMP). */
  async offsetForTimestamp(mq: MessageQueue, timestamp: number): Promise<number> {
    return brokerOffsetLookup(this.instance!).searchOffset(mq, timestamp);
  }

  async seekToTimestamp(mq: MessageQueue, timestamp: number): Promise<void> {
    await this.seek(mq, await this.offsetForTimestamp(mq, timestamp));
  }

  private async addrOf(mq: MessageQueue): Promise<string> {
    let addr = this.instance!.findBrokerAddressInPublish(mq.brokerName);
    if (!addr) {
      await this.instance!.updateTopicRouteInfoFromNameServer(mq.topic);
      addr = this.instance!.findBrokerAddressInPublish(mq.brokerName);
    }
    if (!addr) throw new MQClientError(`The broker[${mq.brokerName}] not exist`);
    return addr;
  }

  /** The readable queues of a topic (fetchMessageQueues), for assign(). */
  async fetchMessageQueues(topic: string): Promise<MessageQueue[]> {
    const route = await this.instance!.api.getTopicRouteInfoFromNameServer(
      topic,
      this.instance!.config.requestTimeoutMs,
    );
    await this.instance!.updateTopicRouteInfoFromNameServer(topic);
    return topicRouteDataToSubscribeInfo(topic, route);
  }

  /** The queues currently being read. */
  assignment(): MessageQueue[] {
    return [...this.queues.values()].map((s) => s.mq);
  }

  // ---- MQConsumerInner ----

  subscriptions(): SubscriptionData[] {
    return [...this.subscriptionsByTopic.values()];
  }

  isSubscribeTopicNeedUpdate(topic: string): boolean {
    return (
      !this.assigned &&
      this.subscriptionsByTopic.has(topic) &&
      !this.rebalance?.topicSubscribeInfoTable.has(topic)
    );
  }

  updateTopicSubscribeInfo(topic: string, mqs: MessageQueue[]): void {
    if (this.subscriptionsByTopic.has(topic)) this.rebalance?.topicSubscribeInfoTable.set(topic, mqs);
  }

  async doRebalance(): Promise<void> {
    if (this.state === 'RUNNING' && !this.assigned) await this.rebalance!.doRebalance();
  }

  async persistConsumerOffset(): Promise<void> {
    if (this.state !== 'RUNNING') return;
    await this.offsetStore!.persistAll(this.assignment());
  }

  async shutdown(): Promise<void> {
    if (this.state !== 'RUNNING') {
      this.state = 'SHUTDOWN_ALREADY';
      return;
    }
    if (this.autoCommit) await this.commitSync();
    this.state = 'SHUTDOWN_ALREADY';
    for (const s of this.queues.values()) {
      s.pq.dropped = true;
      if (s.timer) clearTimeout(s.timer);
    }
    this.wakePollers();
    this.cache.length = 0;
    await this.instance!.unregisterConsumer(this.group);
  }
}
