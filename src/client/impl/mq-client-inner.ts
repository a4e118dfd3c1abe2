import type { SubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import type { ConsumeMessageDirectlyResult, ConsumerRunningInfo } from '../consumer/consumer-running-info.js';
import type { MessageExt } from '../message.js';
import type { MessageQueue } from '../message-queue.js';
import type { TopicPublishInfo } from '../producer/topic-publish-info.js';
import type { CheckTransactionStateRequestHeader } from './client-protocol.js';

export type MessageModel = 'CLUSTERING' | 'BROADCASTING';
export type ConsumeFromWhere =
  | 'CONSUME_FROM_LAST_OFFSET'
  | 'CONSUME_FROM_FIRST_OFFSET'
  | 'CONSUME_FROM_TIMESTAMP';
export type ConsumeType = 'CONSUME_PASSIVELY' | 'CONSUME_ACTIVELY';

/** What the client instance needs from a producer (MQProducerInner). */
export interface MQProducerInner {
  readonly group: string;
  publishTopics(): string[];
  isPublishTopicNeedUpdate(topic: string): boolean;
  updateTopicPublishInfo(topic: string, info: TopicPublishInfo): void;
  /** A transaction producer answers a broker's check-back (CHECK_TRANSACTION_STATE) on `channel`. */
  checkTransactionState?(
    channel: RemotingChannel,
    msg: MessageExt,
    header: CheckTransactionStateRequestHeader,
  ): void;
}

/** What the client instance needs from a consumer (MQConsumerInner). */
export interface MQConsumerInner {
  readonly group: string;
  readonly messageModel: MessageModel;
  readonly consumeType: ConsumeType;
  readonly consumeFromWhere: ConsumeFromWhere;
  subscriptions(): SubscriptionData[];
  isSubscribeTopicNeedUpdate(topic: string): boolean;
  updateTopicSubscribeInfo(topic: string, mqs: MessageQueue[]): void;
  doRebalance(): Promise<void>;
  persistConsumerOffset(): Promise<void>;
  /** GET_CONSUMER_RUNNING_INFO, forwarded by a broker (mqadmin consumerStatus). */
  consumerRunningInfo?(): Promise<ConsumerRunningInfo>;
  /** RESET_CONSUMER_CLIENT_OFFSET from a broker (mqadmin resetOffsetByTime): restart `topic`'s queues there. */
  resetOffset?(topic: string, offsetTable: ReadonlyArray<[MessageQueue, number]>): Promise<void>;
  /** GET_CONSUMER_STATUS_FROM_CLIENT from a broker: the offsets of `topic`'s owned queues. */
  consumerStatus?(topic: string): Promise<Array<[MessageQueue, number]>>;
  /** CONSUME_MESSAGE_DIRECTLY, forwarded by a broker. */
  consumeMessageDirectly?(msg: MessageExt, brokerName: string): Promise<ConsumeMessageDirectlyResult>;
}
