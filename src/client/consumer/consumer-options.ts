import { buildClientId, type ClientOptions, resolveClientConfig } from '../client-config.js';
import { MQClientError } from '../errors.js';
import type { ConsumeFromWhere, MessageModel } from '../impl/mq-client-inner.js';
import type { MQClientInstance } from '../impl/mq-client-instance.js';
import type { MessageQueue } from '../message-queue.js';
import { AllocateMessageQueueAveragely } from '../rebalance/allocate-message-queue-averagely.js';
import { AllocateMessageQueueAveragelyByCircle } from '../rebalance/allocate-message-queue-averagely-by-circle.js';
import { AllocateMessageQueueConsistentHash } from '../rebalance/allocate-message-queue-consistent-hash.js';
import type { AllocateMessageQueueStrategy } from '../rebalance/allocate-message-queue-strategy.js';

// The options of push and lite pull consumers (DefaultMQPushConsumer's and DefaultLitePullConsumer's
// fields), and what both build from them.

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
  /**
   * After this many redeliveries a message goes to %DLQ%group (maxReconsumeTimes). Default (or -1): 16
   * for a concurrent listener, unlimited for an orderly one, as RocketMQ.
   */
  maxReconsumeTimes?: number;
  /** Orderly: how long a queue pauses after SUSPEND_CURRENT_QUEUE_A_MOMENT, ms (suspendCurrentQueueTimeMillis). Default 1000. */
  suspendCurrentQueueTimeMillis?: number;
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

/** How a listener is registered: `{ orderly: true }` for MessageListenerOrderly semantics. */
export interface ListenerOptions {
  orderly?: boolean;
}

/** Broadcasting offsets stay with a stable id across restarts: the configured instance name or DEFAULT. */
export function broadcastClientId(o: ClientOptions): string {
  const cfg = resolveClientConfig(o);
  return buildClientId({ ...cfg, instanceName: o.instanceName ?? 'DEFAULT' });
}

export function consumerOffsetApi(instance: MQClientInstance) {
  // the master, else a slave: offsets go on while the master is down (findBrokerAddressInAdmin)
  const addrOf = async (mq: MessageQueue): Promise<string> => {
    let addr = instance.findBrokerAddressInAdmin(mq.brokerName);
    if (!addr) {
      await instance.updateTopicRouteInfoFromNameServer(mq.topic);
      addr = instance.findBrokerAddressInAdmin(mq.brokerName);
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
