import { componentLogger } from '../../common/logger.js';
import { MixAll } from '../../common/message-const.js';
import { buildSubscriptionData, type SubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';
import { MQClientError } from '../errors.js';
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
import { brokerOffsetLookup, computePullFromWhere, parseConsumeTimestamp } from './consume-from-where.js';
import {
  type ConsumeConcurrentlyContext,
  type ConsumeConcurrentlyStatus,
  ConsumeMessageConcurrentlyService,
  type MessageListenerConcurrently,
  resetRetryTopic,
} from './consume-message-concurrently-service.js';
import {
  ConsumeMessageOrderlyService,
  type ConsumeOrderlyContext,
  type ConsumeOrderlyStatus,
  type MessageListenerOrderly,
} from './consume-message-orderly-service.js';
import {
  type AllocateStrategyName,
  broadcastClientId,
  type ConsumerOptions,
  consumerOffsetApi,
  type ListenerOptions,
  type PushConsumerOptions,
  resolveAllocateStrategy,
} from './consumer-options.js';
import {
  type ConsumeMessageDirectlyResult,
  type ConsumerRunningInfo,
  collectConsumerRunningInfo,
  consumeMessageDirectly,
  RunningInfoProps,
} from './consumer-running-info.js';
import { defaultLocalOffsetStoreDir, LocalFileOffsetStore } from './local-file-offset-store.js';
import type { OffsetStore } from './offset-store.js';
import type { ProcessQueue } from './process-queue.js';
import { PullAPIWrapper } from './pull-api-wrapper.js';
import { PushPullLoop } from './push-pull-loop.js';
import { RebalanceImpl } from './rebalance-impl.js';
import { RemoteBrokerOffsetStore } from './remote-broker-offset-store.js';
import { ConsumerSendBack } from './send-message-back.js';

const log = componentLogger('client.consumer');

export type { AllocateStrategyName, ConsumerOptions, ListenerOptions, PushConsumerOptions };

/**
 * A consumer the broker's messages are pushed to (DefaultMQPushConsumer): a long-polling pull loop per
 * assigned queue, a local buffer per queue with flow control, and a bounded pool of listener calls.
 */
export class PushConsumer implements MQConsumerInner {
  readonly group: string;
  readonly messageModel: MessageModel;
  readonly consumeType: ConsumeType = 'CONSUME_PASSIVELY';
  readonly consumeFromWhere: ConsumeFromWhere;
  private readonly o: PushConsumerOptions;
  private readonly subscriptionsByTopic = new Map<string, SubscriptionData>();
  private listener: MessageListenerConcurrently | undefined;
  private orderlyListener: MessageListenerOrderly | undefined;
  private consumerStartTimestamp = 0;
  private instance: MQClientInstance | undefined;
  private rebalance: RebalanceImpl | undefined;
  private offsetStore: OffsetStore | undefined;
  private consumeService: ConsumeMessageConcurrentlyService | ConsumeMessageOrderlyService | undefined;
  private pullLoop: PushPullLoop | undefined;
  private rebalancing: Promise<void> | undefined;
  private state: 'CREATE_JUST' | 'RUNNING' | 'SHUTDOWN_ALREADY' = 'CREATE_JUST';

  constructor(options: PushConsumerOptions) {
    if (!options.group) throw new MQClientError('consumerGroup is null');
    this.o = options;
    this.group = options.group;
    this.messageModel = options.messageModel ?? 'CLUSTERING';
    this.consumeFromWhere = options.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET';
  }

  /**
   * Subscribes a topic: `'*'` for all messages, tags `'TagA || TagB'`, or an SQL92 condition on
   * properties (`{ sql: 'a > 5' }` or `MessageSelector.bySql('a > 5')`, which the broker must allow:
   * enablePropertyFilter=true; start() fails with the broker's MQBrokerError otherwise). Call before
   * or after start.
   */
  subscribe(topic: string, subExpression: SubscriptionExpression = '*'): void {
    const sd = buildSubscription(topic, subExpression);
    this.subscriptionsByTopic.set(topic, sd);
    if (this.state === 'RUNNING') {
      this.rebalance!.subscriptionInner.set(topic, sd);
      this.afterSubscriptionChange().catch((err: unknown) =>
        log.warn({ err, topic }, 'subscribe: route refresh failed'),
      );
    }
  }

  unsubscribe(topic: string): void {
    this.subscriptionsByTopic.delete(topic);
    this.rebalance?.subscriptionInner.delete(topic);
  }

  /** The listener: resolve 'CONSUME_SUCCESS', or 'RECONSUME_LATER' (or throw) to have the messages retried. */
  registerMessageListener(
    listener: (msgs: MessageExt[], context: ConsumeConcurrentlyContext) => Promise<ConsumeConcurrentlyStatus>,
  ): void;
  registerMessageListener(
    listener: (msgs: MessageExt[], context: ConsumeConcurrentlyContext) => ConsumeConcurrentlyStatus,
  ): void;
  /**
   * An orderly listener (MessageListenerOrderly): each queue's messages in offset order, one call per
   * queue at a time, the queue locked on the broker for this consumer. Resolve 'SUCCESS', or
   * 'SUSPEND_CURRENT_QUEUE_A_MOMENT' (or throw) to have the same messages again after a pause.
   */
  registerMessageListener(
    listener: (msgs: MessageExt[], context: ConsumeOrderlyContext) => Promise<ConsumeOrderlyStatus>,
    options: { orderly: true },
  ): void;
  registerMessageListener(
    listener: (msgs: MessageExt[], context: ConsumeOrderlyContext) => ConsumeOrderlyStatus,
    options: { orderly: true },
  ): void;
  // Overloads rather than one `S | Promise<S>` return type: with the union, TypeScript widens an
  // async arrow's `return 'CONSUME_SUCCESS'` to string and rejects it.
  registerMessageListener(
    listener: MessageListenerConcurrently | MessageListenerOrderly,
    options: ListenerOptions = {},
  ): void {
    if (this.state !== 'CREATE_JUST') throw new MQClientError('register the listener before start()');
    if (options.orderly) {
      this.orderlyListener = listener as MessageListenerOrderly;
      this.listener = undefined;
    } else {
      this.listener = listener as MessageListenerConcurrently;
      this.orderlyListener = undefined;
    }
  }

  /** This consumer's client id (`clientIP@instanceName`) once started, as brokers and mqadmin know it. */
  get clientId(): string | undefined {
    return this.instance?.clientId;
  }

  /** Whether an orderly listener is registered (consumeOrderly). */
  get consumeOrderly(): boolean {
    return this.orderlyListener !== undefined;
  }

  async start(): Promise<void> {
    if (this.state !== 'CREATE_JUST')
      throw new MQClientError(`The PushConsumer service state not OK, maybe started once, ${this.state}`);
    if (!this.listener && !this.orderlyListener)
      throw new MQClientError('messageListener is null, call registerMessageListener first');
    const o = this.o;
    // fixed at start, as DefaultMQPushConsumer's consumeTimestamp is fixed at construction
    const consumeTimestamp = parseConsumeTimestamp(o.consumeTimestamp ?? Date.now() - 30 * 60_000);
    const instance = getOrCreateMQClientInstance(o);
    const rebalance = new RebalanceImpl(
      this.group,
      this.messageModel,
      this.consumeType,
      resolveAllocateStrategy(o.allocateMessageQueueStrategy),
      instance,
      {
        removeUnnecessaryMessageQueue: (mq, pq) => this.removeUnnecessaryMessageQueue(mq, pq),
        computePullFromWhere: (mq) =>
          computePullFromWhere(
            mq,
            this.consumeFromWhere,
            consumeTimestamp,
            this.offsetStore!,
            brokerOffsetLookup(instance),
          ),
        removeDirtyOffset: (mq) => this.offsetStore!.removeOffset(mq),
        dispatchPullRequest: (reqs) => {
          for (const r of reqs) this.pullLoop!.executePullRequestLater(r, 0);
        },
        messageQueueChanged: () => {
          void instance.sendHeartbeatToAllBroker();
        },
        // RocketMQ waits for the next 20 s rebalance; the previous owner releases within moments
        lockFailed: () => this.rebalanceSoon(),
      },
    );
    // broadcasting consumers each read every queue: no broker locks (RocketMQ 4.9.8 asks for them
    // there too, so that only one member of a broadcasting group gets each queue)
    rebalance.consumeOrderly = this.consumeOrderly && this.messageModel === 'CLUSTERING';
    for (const [topic, sd] of this.subscriptionsByTopic) rebalance.subscriptionInner.set(topic, sd);
    if (this.messageModel === 'CLUSTERING') {
      // copySubscription: a clustering group also consumes its own retry topic
      const retryTopic = MixAll.getRetryTopic(this.group);
      rebalance.subscriptionInner.set(retryTopic, buildSubscriptionData(retryTopic, '*'));
    }
    this.offsetStore =
      this.messageModel === 'BROADCASTING'
        ? new LocalFileOffsetStore(
            o.offsetStoreDir ?? defaultLocalOffsetStoreDir(),
            broadcastClientId(o),
            this.group,
          )
        : new RemoteBrokerOffsetStore(this.group, consumerOffsetApi(instance));
    await this.offsetStore.load();
    const sendBack = new ConsumerSendBack(instance, this.group, () => this.ensureRetryTopicRoute());
    const consumeThreadMax = Math.max(1, o.consumeThreadMax ?? 20);
    const batchMaxSize = Math.max(1, o.consumeMessageBatchMaxSize ?? 1);
    if (this.orderlyListener) {
      const orderly = new ConsumeMessageOrderlyService(
        {
          group: this.group,
          messageModel: this.messageModel,
          offsetStore: () => this.offsetStore!,
          lock: (mq) => rebalance.lock(mq),
          lockAll: () => rebalance.lockAll(),
          sendMessageBack: (msg, max) => sendBack.orderly(msg, max),
        },
        this.orderlyListener,
        {
          consumeThreadMax,
          batchMaxSize,
          maxReconsumeTimes:
            o.maxReconsumeTimes === undefined || o.maxReconsumeTimes < 0
              ? Number.POSITIVE_INFINITY
              : o.maxReconsumeTimes,
          suspendCurrentQueueTimeMillis: o.suspendCurrentQueueTimeMillis ?? 1000,
        },
      );
      orderly.start();
      this.consumeService = orderly;
    } else {
      const max = this.concurrentMaxReconsumeTimes();
      this.consumeService = new ConsumeMessageConcurrentlyService(
        {
          group: this.group,
          messageModel: this.messageModel,
          offsetStore: () => this.offsetStore!,
          sendMessageBack: (msg, delayLevel, brokerName) =>
            sendBack.concurrently(msg, delayLevel, brokerName, max),
        },
        this.listener!,
        consumeThreadMax,
        batchMaxSize,
      );
    }
    instance.registerConsumer(this);
    this.instance = instance;
    this.rebalance = rebalance;
    const pullAPI = new PullAPIWrapper(instance, this.group);
    const consumeService = this.consumeService;
    this.pullLoop = new PushPullLoop(
      {
        messageModel: this.messageModel,
        orderly: this.consumeOrderly,
        running: () => this.state === 'RUNNING',
        subscription: (topic) => rebalance.subscriptionInner.get(topic),
        offsetStore: () => this.offsetStore!,
        pullAPI: () => pullAPI,
        computePullFromWhere: (mq) => rebalance.computePullFromWhere(mq),
        submitConsumeRequest: (msgs, pq, mq) => consumeService.submitConsumeRequest(msgs, pq, mq),
        removeProcessQueue: (mq) => rebalance.removeProcessQueue(mq),
      },
      {
        pullBatchSize: o.pullBatchSize ?? 32,
        pullInterval: o.pullInterval ?? 0,
        pullThresholdForQueue: o.pullThresholdForQueue ?? 1000,
        pullThresholdSizeForQueue: o.pullThresholdSizeForQueue ?? 100,
        consumeConcurrentlyMaxSpan: o.consumeConcurrentlyMaxSpan ?? 2000,
        brokerSuspendMaxTimeMillis: o.brokerSuspendMaxTimeMillis ?? 15_000,
      },
    );
    this.state = 'RUNNING';
    this.consumerStartTimestamp = Date.now();
    instance.start();
    try {
      await this.afterSubscriptionChange(true);
    } catch (err) {
      // as DefaultMQPushConsumerImpl.start: a broker refusing the subscription fails the start
      await this.shutdown();
      throw err;
    }
    log.debug({ group: this.group, clientId: instance.clientId }, 'push consumer started');
  }

  /**
   * Routes of every subscribed topic, a check that brokers accept non-TAG subscriptions
   * (checkClientInBroker, at start), a heartbeat so brokers know us, then rebalance at once.
   */
  private async afterSubscriptionChange(checkClient = false): Promise<void> {
    const instance = this.instance!;
    await Promise.all(
      [...this.rebalance!.subscriptionInner.keys()].map((t) =>
        instance.updateTopicRouteInfoFromNameServer(t),
      ),
    );
    if (checkClient) await this.checkClientInBroker();
    await instance.sendHeartbeatToAllBroker();
    instance.rebalanceImmediately();
  }

  /** CHECK_CLIENT_CONFIG for each SQL92 subscription, to one broker serving its topic (MQClientInstance.checkClientInBroker). */
  private async checkClientInBroker(): Promise<void> {
    const instance = this.instance!;
    for (const sd of this.rebalance!.subscriptionInner.values()) {
      if (sd.expressionType === 'TAG') continue;
      const addr = instance.findBrokerAddrByTopic(sd.topic);
      if (addr)
        await instance.api.checkClientInBroker(
          addr,
          this.group,
          instance.clientId,
          sd,
          instance.config.requestTimeoutMs,
        );
    }
  }

  private rebalanceTimer: NodeJS.Timeout | undefined;

  /** One more rebalance in a second (an orderly queue's previous owner was still releasing it). */
  private rebalanceSoon(): void {
    if (this.rebalanceTimer || this.state !== 'RUNNING') return;
    this.rebalanceTimer = setTimeout(() => {
      this.rebalanceTimer = undefined;
      if (this.state === 'RUNNING') this.instance!.rebalanceImmediately();
    }, 1000);
  }

  private concurrentMaxReconsumeTimes(): number {
    const m = this.o.maxReconsumeTimes;
    return m === undefined || m < 0 ? 16 : m;
  }

  // ---- MQConsumerInner ----

  subscriptions(): SubscriptionData[] {
    return [...(this.rebalance?.subscriptionInner.values() ?? this.subscriptionsByTopic.values())];
  }

  isSubscribeTopicNeedUpdate(topic: string): boolean {
    return (
      !!this.rebalance?.subscriptionInner.has(topic) && !this.rebalance.topicSubscribeInfoTable.has(topic)
    );
  }

  updateTopicSubscribeInfo(topic: string, mqs: MessageQueue[]): void {
    if (this.rebalance?.subscriptionInner.has(topic)) this.rebalance.topicSubscribeInfoTable.set(topic, mqs);
  }

  async doRebalance(): Promise<void> {
    if (this.state !== 'RUNNING') return;
    const run = this.rebalance!.doRebalance();
    this.rebalancing = run;
    try {
      await run;
    } finally {
      if (this.rebalancing === run) this.rebalancing = undefined;
    }
  }

  async persistConsumerOffset(): Promise<void> {
    if (this.state !== 'RUNNING') return;
    await this.offsetStore!.persistAll(this.rebalance!.assignedQueues());
  }

  /** GET_CONSUMER_RUNNING_INFO (DefaultMQPushConsumerImpl.consumerRunningInfo), for mqadmin consumerStatus. */
  consumerRunningInfo(): Promise<ConsumerRunningInfo> {
    const o = this.o;
    return collectConsumerRunningInfo(
      {
        consumerGroup: this.group,
        messageModel: this.messageModel,
        consumeFromWhere: this.consumeFromWhere,
        consumeThreadMax: String(o.consumeThreadMax ?? 20),
        consumeMessageBatchMaxSize: String(o.consumeMessageBatchMaxSize ?? 1),
        pullBatchSize: String(o.pullBatchSize ?? 32),
        pullInterval: String(o.pullInterval ?? 0),
        maxReconsumeTimes: String(o.maxReconsumeTimes ?? -1),
        pullThresholdForQueue: String(o.pullThresholdForQueue ?? 1000),
        pullThresholdSizeForQueue: String(o.pullThresholdSizeForQueue ?? 100),
        consumeConcurrentlyMaxSpan: String(o.consumeConcurrentlyMaxSpan ?? 2000),
        suspendCurrentQueueTimeMillis: String(o.suspendCurrentQueueTimeMillis ?? 1000),
        [RunningInfoProps.PROP_CONSUME_ORDERLY]: String(this.consumeOrderly),
        [RunningInfoProps.PROP_THREADPOOL_CORE_SIZE]: String(o.consumeThreadMax ?? 20),
        [RunningInfoProps.PROP_CONSUMER_START_TIMESTAMP]: String(this.consumerStartTimestamp),
      },
      [...(this.rebalance?.processQueueTable.values() ?? [])],
      (mq) => this.offsetStore!.readOffset(mq, 'MEMORY_FIRST_THEN_STORE'),
      this.subscriptions(),
    );
  }

  /** CONSUME_MESSAGE_DIRECTLY: the listener runs on one message an operator picked, outside the queues. */
  consumeMessageDirectly(msg: MessageExt, brokerName: string): Promise<ConsumeMessageDirectlyResult> {
    resetRetryTopic([msg], this.group);
    return consumeMessageDirectly(
      this.orderlyListener ? { orderly: this.orderlyListener } : { concurrently: this.listener! },
      msg,
      brokerName,
    );
  }

  /**
   * RESET_CONSUMER_CLIENT_OFFSET (MQClientInstance.resetOffset, after mqadmin resetOffsetByTime): the
   * broker already moved its offsets; here the queues of `topic` in the table stop (their buffered
   * messages dropped), running listener calls get up to 10 s (RocketMQ sleeps 10 s), then each
   * queue's new offset is written to the store and persisted, and the next rebalance takes the queues
   * afresh from there. Queues of other topics keep running.
   */
  async resetOffset(topic: string, offsetTable: ReadonlyArray<[MessageQueue, number]>): Promise<void> {
    if (this.state !== 'RUNNING') return;
    const rebalance = this.rebalance!;
    const store = this.offsetStore!;
    const wanted = offsetTable.filter(([mq]) => mq.topic === topic);
    const dropped: { key: string; pq: ProcessQueue }[] = [];
    for (const [mq] of wanted) {
      const key = messageQueueKey(mq);
      const e = rebalance.processQueueTable.get(key);
      if (!e) continue;
      e.pq.dropped = true;
      e.pq.clear();
      dropped.push({ key, pq: e.pq });
    }
    await Promise.all(dropped.map(({ pq }) => pq.waitDrained(10_000)));
    for (const [mq, offset] of wanted) {
      store.updateOffset(mq, offset, false);
      await store.persist(mq);
      store.removeOffset(mq);
    }
    for (const { key, pq } of dropped) {
      pq.released = true;
      rebalance.processQueueTable.delete(key);
    }
    log.info({ group: this.group, topic, queues: wanted.length }, 'consumer offsets reset by the broker');
    this.instance!.rebalanceImmediately();
  }

  /** GET_CONSUMER_STATUS_FROM_CLIENT (MQClientInstance.getConsumerStatus): offsets of `topic`'s owned queues. */
  async consumerStatus(topic: string): Promise<Array<[MessageQueue, number]>> {
    const out: Array<[MessageQueue, number]> = [];
    for (const { mq } of this.rebalance?.processQueueTable.values() ?? []) {
      if (mq.topic !== topic) continue;
      out.push([mq, await this.offsetStore!.readOffset(mq, 'MEMORY_FIRST_THEN_STORE')]);
    }
    return out;
  }

  /** The queues this consumer currently owns. */
  assignedMessageQueues(): MessageQueue[] {
    return this.rebalance?.assignedQueues() ?? [];
  }

  /**
   * RebalancePushImpl.removeUnnecessaryMessageQueue: stop pulling (done by the caller), let running
   * listener calls finish and commit, then persist the queue's offset so its next owner starts there.
   */
  private async removeUnnecessaryMessageQueue(mq: MessageQueue, pq: ProcessQueue): Promise<boolean> {
    if (this.consumeOrderly && this.messageModel === 'CLUSTERING') {
      // as RebalancePushImpl: the queue's consume lock, tried for a second; a listener call still
      // running keeps the queue (and its broker lock) until the next rebalance. Unlike RocketMQ, the
      // offset is persisted after that call committed and before the broker lock is released, so the
      // next owner neither repeats nor skips a message; nothing here consumes a dropped queue again,
      // so the unlock need not wait (RocketMQ's unlockDelay of 20 s)
      if (!(await pq.waitDrained(1000))) {
        pq.tryUnlockTimes++;
        log.debug({ mq, tries: pq.tryUnlockTimes }, 'queue is consuming, cannot release it yet');
        return false;
      }
      pq.released = true;
      await this.offsetStore!.persist(mq);
      this.offsetStore!.removeOffset(mq);
      await this.rebalance!.unlock(mq, false);
      return true;
    }
    await pq.waitDrained(this.o.awaitTerminationMillisWhenShutdown ?? 5000);
    pq.released = true;
    await this.offsetStore!.persist(mq);
    this.offsetStore!.removeOffset(mq);
    return true;
  }

  // ---- retries ----

  /** A message went to %RETRY%group: make sure we read that topic without waiting for the next route poll. */
  private ensureRetryTopicRoute(): void {
    const retryTopic = MixAll.getRetryTopic(this.group);
    if (this.messageModel !== 'CLUSTERING' || this.rebalance!.topicSubscribeInfoTable.has(retryTopic)) return;
    this.instance!.updateTopicRouteInfoFromNameServer(retryTopic)
      .then((updated) => {
        if (updated) this.instance!.rebalanceImmediately();
      })
      .catch((err: unknown) => log.debug({ err }, 'retry topic route refresh failed'));
  }

  async shutdown(): Promise<void> {
    if (this.state !== 'RUNNING') {
      this.state = 'SHUTDOWN_ALREADY';
      return;
    }
    this.state = 'SHUTDOWN_ALREADY';
    this.pullLoop!.stop();
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    // a rebalance under way may be taking a queue (and its broker lock) right now: let it finish, so
    // that the queue is released and unlocked below rather than left locked for a minute
    await this.rebalancing?.catch(() => {});
    const owned = this.rebalance!.dropAll();
    await this.consumeService!.shutdown(this.o.awaitTerminationMillisWhenShutdown ?? 5000);
    for (const { pq } of owned) pq.released = true;
    // awaited, not oneway: the offsets must be on the broker before we disconnect
    await Promise.all(owned.map(({ mq }) => this.offsetStore!.persist(mq)));
    // orderly: only now let the next owner lock the queues (RocketMQ unlocks before persisting)
    if (this.consumeOrderly && this.messageModel === 'CLUSTERING') await this.rebalance!.unlockAll(false);
    await this.instance!.unregisterConsumer(this.group);
    log.debug({ group: this.group }, 'push consumer shut down');
  }
}
