import { componentLogger } from '../../common/logger.js';
import { MessageConst, MixAll } from '../../common/message-const.js';
import { buildSubscriptionData, type SubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';
import { buildClientId, type ClientOptions, resolveClientConfig } from '../client-config.js';
import { MQClientError } from '../errors.js';
import type {
  ConsumeFromWhere,
  ConsumeType,
  MessageModel,
  MQConsumerInner,
} from '../impl/mq-client-inner.js';
import type { MQClientInstance } from '../impl/mq-client-instance.js';
import { getOrCreateMQClientInstance } from '../impl/mq-client-manager.js';
import { Message, type MessageExt } from '../message.js';
import type { MessageQueue } from '../message-queue.js';
import { AllocateMessageQueueAveragely } from '../rebalance/allocate-message-queue-averagely.js';
import { AllocateMessageQueueAveragelyByCircle } from '../rebalance/allocate-message-queue-averagely-by-circle.js';
import { AllocateMessageQueueConsistentHash } from '../rebalance/allocate-message-queue-consistent-hash.js';
import type { AllocateMessageQueueStrategy } from '../rebalance/allocate-message-queue-strategy.js';
import { brokerOffsetLookup, computePullFromWhere, parseConsumeTimestamp } from './consume-from-where.js';
import {
  type ConsumeConcurrentlyContext,
  type ConsumeConcurrentlyStatus,
  ConsumeMessageConcurrentlyService,
  type MessageListenerConcurrently,
} from './consume-message-concurrently-service.js';
import { defaultLocalOffsetStoreDir, LocalFileOffsetStore } from './local-file-offset-store.js';
import type { OffsetStore } from './offset-store.js';
import type { ProcessQueue } from './process-queue.js';
import { PullAPIWrapper } from './pull-api-wrapper.js';
import { type PullRequest, RebalanceImpl } from './rebalance-impl.js';
import { RemoteBrokerOffsetStore } from './remote-broker-offset-store.js';

const log = componentLogger('client.consumer');

export type AllocateStrategyName = 'AVG' | 'AVG_BY_CIRCLE' | 'CONSISTENT_HASH';

export interface ConsumerOptions extends ClientOptions {
  /** Consumer group (consumerGroup). */
  group: string;
  /** CLUSTERING shares the queues within the group; BROADCASTING gives every consumer every message. */
  messageModel?: MessageModel;
  /** Where a group with no committed offset starts. Default CONSUME_FROM_LAST_OFFSET. */
  consumeFromWhere?: ConsumeFromWhere;
  /** For CONSUME_FROM_TIMESTAMP: epoch ms or yyyyMMddHHmmss. Default half an hour ago. */
  consumeTimestamp?: number | string;
  /** Queue allocation within the group. Default AVG (AllocateMessageQueueAveragely). */
  allocateMessageQueueStrategy?: AllocateMessageQueueStrategy | AllocateStrategyName;
  /** Messages per PULL_MESSAGE (pullBatchSize). Default 32. */
  pullBatchSize?: number;
  /** Folder for broadcasting offsets. Default ~/.rocketmq_offsets (or COMETMQ_OFFSET_STORE_DIR). */
  offsetStoreDir?: string;
}

export interface PushConsumerOptions extends ConsumerOptions {
  /** At most this many listener calls run at once (consumeThreadMax). Default 20. */
  consumeThreadMax?: number;
  /** Messages per listener call (consumeMessageBatchMaxSize). Default 1. */
  consumeMessageBatchMaxSize?: number;
  /** Delay between pulls of a queue, ms (pullInterval). Default 0. */
  pullInterval?: number;
  /** After this many redeliveries a message goes to the DLQ (maxReconsumeTimes). Default 16. */
  maxReconsumeTimes?: number;
  /** Stop pulling a queue holding this many unconsumed messages (pullThresholdForQueue). Default 1000. */
  pullThresholdForQueue?: number;
  /** ... or this many MiB of bodies (pullThresholdSizeForQueue). Default 100. */
  pullThresholdSizeForQueue?: number;
  /** ... or when its oldest and newest unconsumed offsets are this far apart (consumeConcurrentlyMaxSpan). Default 2000. */
  consumeConcurrentlyMaxSpan?: number;
  /** How long the broker may hold a pull with nothing new (brokerSuspendMaxTimeMillis). Default 15000. */
  brokerSuspendMaxTimeMillis?: number;
  /** How long shutdown waits for running listener calls. Default 5000. */
  awaitTerminationMillisWhenShutdown?: number;
}

export function resolveAllocateStrategy(
  s: AllocateMessageQueueStrategy | AllocateStrategyName | undefined,
): AllocateMessageQueueStrategy {
  if (s === undefined || s === 'AVG') return new AllocateMessageQueueAveragely();
  if (s === 'AVG_BY_CIRCLE') return new AllocateMessageQueueAveragelyByCircle();
  if (s === 'CONSISTENT_HASH') return new AllocateMessageQueueConsistentHash();
  return s;
}

// PULL_TIME_DELAY_MILLS_WHEN_EXCEPTION, ..._WHEN_FLOW_CONTROL, ..._WHEN_SUSPEND (DefaultMQPushConsumerImpl)
const DELAY_WHEN_EXCEPTION = 3000;
const DELAY_WHEN_FLOW_CONTROL = 50;
const DELAY_WHEN_OFFSET_ILLEGAL = 10_000;

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
  private instance: MQClientInstance | undefined;
  private rebalance: RebalanceImpl | undefined;
  private offsetStore: OffsetStore | undefined;
  private consumeService: ConsumeMessageConcurrentlyService | undefined;
  private pullAPI: PullAPIWrapper | undefined;
  private readonly pullTimers = new Set<NodeJS.Timeout>();
  private state: 'CREATE_JUST' | 'RUNNING' | 'SHUTDOWN_ALREADY' = 'CREATE_JUST';

  constructor(options: PushConsumerOptions) {
    if (!options.group) throw new MQClientError('consumerGroup is null');
    this.o = options;
    this.group = options.group;
    this.messageModel = options.messageModel ?? 'CLUSTERING';
    this.consumeFromWhere = options.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET';
  }

  /** Subscribes a topic: `'*'` for all messages, or tags `'TagA || TagB'`. Call before or after start. */
  subscribe(topic: string, subExpression = '*'): void {
    const sd = buildSubscriptionData(topic, subExpression);
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
  // Two overloads rather than one `S | Promise<S>` return type: with the union, TypeScript widens an
  // async arrow's `return 'CONSUME_SUCCESS'` to string and rejects it.
  registerMessageListener(listener: MessageListenerConcurrently): void {
    this.listener = listener;
  }

  async start(): Promise<void> {
    if (this.state !== 'CREATE_JUST')
      throw new MQClientError(`The PushConsumer service state not OK, maybe started once, ${this.state}`);
    if (!this.listener)
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
          for (const r of reqs) this.executePullRequestLater(r, 0);
        },
        messageQueueChanged: () => {
          void instance.sendHeartbeatToAllBroker();
        },
      },
    );
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
    this.consumeService = new ConsumeMessageConcurrentlyService(
      {
        group: this.group,
        messageModel: this.messageModel,
        offsetStore: () => this.offsetStore!,
        sendMessageBack: (msg, delayLevel, brokerName) => this.sendMessageBack(msg, delayLevel, brokerName),
      },
      this.listener,
      Math.max(1, o.consumeThreadMax ?? 20),
      Math.max(1, o.consumeMessageBatchMaxSize ?? 1),
    );
    instance.registerConsumer(this);
    this.instance = instance;
    this.rebalance = rebalance;
    this.pullAPI = new PullAPIWrapper(instance, this.group);
    this.state = 'RUNNING';
    instance.start();
    await this.afterSubscriptionChange();
    log.debug({ group: this.group, clientId: instance.clientId }, 'push consumer started');
  }

  /** Routes of every subscribed topic, a heartbeat so brokers know us, then rebalance at once. */
  private async afterSubscriptionChange(): Promise<void> {
    const instance = this.instance!;
    await Promise.all(
      [...this.rebalance!.subscriptionInner.keys()].map((t) =>
        instance.updateTopicRouteInfoFromNameServer(t),
      ),
    );
    await instance.sendHeartbeatToAllBroker();
    instance.rebalanceImmediately();
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
    if (this.state === 'RUNNING') await this.rebalance!.doRebalance();
  }

  async persistConsumerOffset(): Promise<void> {
    if (this.state !== 'RUNNING') return;
    await this.offsetStore!.persistAll(this.rebalance!.assignedQueues());
  }

  /** The queues this consumer currently owns. */
  assignedMessageQueues(): MessageQueue[] {
    return this.rebalance?.assignedQueues() ?? [];
  }

  // ---- pulling ----

  private executePullRequestLater(req: PullRequest, delayMs: number): void {
    if (this.state !== 'RUNNING') return;
    const t = setTimeout(() => {
      this.pullTimers.delete(t);
      this.pullMessage(req).catch((err: unknown) => {
        log.warn({ err, mq: req.messageQueue }, 'pull loop failed');
        this.executePullRequestLater(req, DELAY_WHEN_EXCEPTION);
      });
    }, delayMs);
    this.pullTimers.add(t);
  }

  /** One turn of a queue's pull loop (DefaultMQPushConsumerImpl.pullMessage). */
  private async pullMessage(req: PullRequest): Promise<void> {
    const pq = req.processQueue;
    if (pq.dropped || this.state !== 'RUNNING') return;
    pq.lastPullTimestamp = Date.now();
    const o = this.o;
    if (
      pq.msgCount > (o.pullThresholdForQueue ?? 1000) ||
      pq.msgSizeBytes > (o.pullThresholdSizeForQueue ?? 100) * 1024 * 1024 ||
      pq.maxSpan() > (o.consumeConcurrentlyMaxSpan ?? 2000)
    ) {
      this.executePullRequestLater(req, DELAY_WHEN_FLOW_CONTROL);
      return;
    }
    const mq = req.messageQueue;
    const sd = this.rebalance!.subscriptionInner.get(mq.topic);
    if (!sd) {
      this.executePullRequestLater(req, DELAY_WHEN_EXCEPTION);
      return;
    }
    let commitOffset = 0;
    if (this.messageModel === 'CLUSTERING')
      commitOffset = await this.offsetStore!.readOffset(mq, 'READ_FROM_MEMORY');
    let result: Awaited<ReturnType<PullAPIWrapper['pullKernelImpl']>>;
    try {
      result = await this.pullAPI!.pullKernelImpl({
        mq,
        subscription: sd,
        offset: req.nextOffset,
        maxNums: o.pullBatchSize ?? 32,
        commitOffset: Math.max(0, commitOffset),
        commitOffsetEnable: commitOffset > 0,
        suspendTimeoutMillis: o.brokerSuspendMaxTimeMillis ?? 15_000,
        // CONSUMER_TIMEOUT_MILLIS_WHEN_SUSPEND: the socket waits longer than the broker holds
        timeoutMillis: (o.brokerSuspendMaxTimeMillis ?? 15_000) + 15_000,
      });
    } catch (err) {
      if (this.state === 'RUNNING' && !pq.dropped) log.debug({ err, mq }, 'pull failed');
      this.executePullRequestLater(req, DELAY_WHEN_EXCEPTION);
      return;
    }
    if (pq.dropped || this.state !== 'RUNNING') return;
    switch (result.pullStatus) {
      case 'FOUND':
        req.nextOffset = result.nextBeginOffset;
        if (result.msgFoundList.length > 0) {
          pq.putMessage(result.msgFoundList);
          this.consumeService!.submitConsumeRequest(result.msgFoundList, pq, mq);
        } else {
          this.correctTagsOffset(req);
        }
        this.executePullRequestLater(req, o.pullInterval ?? 0);
        break;
      case 'NO_NEW_MSG':
      case 'NO_MATCHED_MSG':
        req.nextOffset = result.nextBeginOffset;
        this.correctTagsOffset(req);
        this.executePullRequestLater(req, o.pullInterval ?? 0);
        break;
      case 'OFFSET_ILLEGAL': {
        log.warn(
          { mq, offset: req.nextOffset, next: result.nextBeginOffset },
          'pull offset illegal, moving on',
        );
        req.nextOffset = result.nextBeginOffset;
        pq.dropped = true;
        const t = setTimeout(() => {
          this.pullTimers.delete(t);
          this.offsetStore!.updateOffset(mq, req.nextOffset, false);
          this.offsetStore!.persist(mq)
            .then(() => this.rebalance!.removeProcessQueue(mq))
            .catch((err: unknown) => log.warn({ err, mq }, 'cannot reset an illegal offset'));
        }, DELAY_WHEN_OFFSET_ILLEGAL);
        this.pullTimers.add(t);
        break;
      }
    }
  }

  /** Nothing buffered: everything before nextOffset was filtered out or consumed, so commit past it. */
  private correctTagsOffset(req: PullRequest): void {
    if (req.processQueue.msgCount === 0)
      this.offsetStore!.updateOffset(req.messageQueue, req.nextOffset, true);
  }

  /**
   * RebalancePushImpl.removeUnnecessaryMessageQueue: stop pulling (done by the caller), let running
   * listener calls finish and commit, then persist the queue's offset so its next owner starts there.
   */
  private async removeUnnecessaryMessageQueue(mq: MessageQueue, pq: ProcessQueue): Promise<boolean> {
    await pq.waitDrained(this.o.awaitTerminationMillisWhenShutdown ?? 5000);
    pq.released = true;
    await this.offsetStore!.persist(mq);
    this.offsetStore!.removeOffset(mq);
    return true;
  }

  // ---- retries ----

  /**
   * CONSUMER_SEND_MSG_BACK to the broker that stored the message; when that fails, a plain send to
   * %RETRY%group carrying the original topic and counters, as DefaultMQPushConsumerImpl.sendMessageBack.
   */
  private async sendMessageBack(msg: MessageExt, delayLevel: number, brokerName: string): Promise<boolean> {
    const instance = this.instance!;
    const maxReconsumeTimes = this.o.maxReconsumeTimes ?? 16;
    try {
      const addr = instance.findBrokerAddressInPublish(brokerName) ?? msg.storeHost;
      await instance.api.consumerSendMessageBack(
        addr,
        {
          offset: msg.commitLogOffset,
          group: this.group,
          delayLevel,
          originMsgId: msg.msgId,
          originTopic: msg.topic,
          unitMode: false,
          maxReconsumeTimes,
        },
        5000,
      );
      this.ensureRetryTopicRoute();
      return true;
    } catch (err) {
      log.debug({ err, msgId: msg.msgId }, 'send message back failed, re-sending to the retry topic');
    }
    try {
      const retry = buildRetryMessage(msg, this.group, maxReconsumeTimes);
      await instance.innerProducer().send(retry);
      this.ensureRetryTopicRoute();
      return true;
    } catch (err) {
      log.warn({ err, msgId: msg.msgId }, 'cannot hand the failed message back; consuming it again locally');
      return false;
    }
  }

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
    for (const t of this.pullTimers) clearTimeout(t);
    this.pullTimers.clear();
    const owned = this.rebalance!.dropAll();
    await this.consumeService!.shutdown(this.o.awaitTerminationMillisWhenShutdown ?? 5000);
    for (const { pq } of owned) pq.released = true;
    // awaited, not oneway: the offsets must be on the broker before we disconnect
    await Promise.all(owned.map(({ mq }) => this.offsetStore!.persist(mq)));
    await this.instance!.unregisterConsumer(this.group);
    log.debug({ group: this.group }, 'push consumer shut down');
  }
}

/**
 * The message a consumer re-sends to %RETRY%group itself when CONSUMER_SEND_MSG_BACK failed
 * (DefaultMQPushConsumerImpl.sendMessageBack): same body, flag and properties, the original topic and
 * id kept, the reconsume counters in properties (the producer moves them into the send header), and
 * the delay level the broker would have used (3 + reconsumeTimes).
 */
export function buildRetryMessage(msg: MessageExt, group: string, maxReconsumeTimes: number): Message {
  const retry = new Message({ topic: MixAll.getRetryTopic(group), body: msg.body, flag: msg.flag });
  retry.properties = { ...msg.properties };
  retry.properties[MessageConst.PROPERTY_ORIGIN_MESSAGE_ID] =
    msg.properties[MessageConst.PROPERTY_ORIGIN_MESSAGE_ID] || msg.msgId;
  retry.properties[MessageConst.PROPERTY_RETRY_TOPIC] = msg.topic;
  retry.properties[MessageConst.PROPERTY_RECONSUME_TIME] = String(msg.reconsumeTimes + 1);
  retry.properties[MessageConst.PROPERTY_MAX_RECONSUME_TIMES] = String(maxReconsumeTimes);
  retry.delayTimeLevel = 3 + msg.reconsumeTimes;
  return retry;
}

/** Broadcasting offsets stay with a stable id across restarts: the configured instance name or DEFAULT. */
function broadcastClientId(o: ClientOptions): string {
  const cfg = resolveClientConfig(o);
  return buildClientId({ ...cfg, instanceName: o.instanceName ?? 'DEFAULT' });
}

export function consumerOffsetApi(instance: MQClientInstance) {
  const addrOf = async (mq: MessageQueue): Promise<string> => {
    let addr = instance.findBrokerAddressInPublish(mq.brokerName);
    if (!addr) {
      await instance.updateTopicRouteInfoFromNameServer(mq.topic);
      addr = instance.findBrokerAddressInPublish(mq.brokerName);
    }
    if (!addr) throw new MQClientError(`The broker[${mq.brokerName}] not exist`);
    return addr;
  };
  const timeout = instance.config.requestTimeoutMs;
  return {
    queryConsumerOffset: async (group: string, mq: MessageQueue) =>
      instance.api.queryConsumerOffset(await addrOf(mq), group, mq.topic, mq.queueId, timeout),
    updateConsumerOffset: async (group: string, mq: MessageQueue, offset: number, oneway: boolean) =>
      instance.api.updateConsumerOffset(
        await addrOf(mq),
        group,
        mq.topic,
        mq.queueId,
        offset,
        timeout,
        oneway,
      ),
  };
}
