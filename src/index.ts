// The public surface of the `cometmq` package: what users import. Everything else is internal.

export type { ClientOptions } from './client/client-config.js';
export type {
  ConsumeConcurrentlyContext,
  ConsumeConcurrentlyStatus,
  MessageListenerConcurrently,
} from './client/consumer/consume-message-concurrently-service.js';
export type {
  ConsumeOrderlyContext,
  ConsumeOrderlyStatus,
  MessageListenerOrderly,
} from './client/consumer/consume-message-orderly-service.js';
export { LitePullConsumer, type LitePullConsumerOptions } from './client/consumer/lite-pull-consumer.js';
export type { OffsetStore, ReadOffsetType } from './client/consumer/offset-store.js';
export {
  type AllocateStrategyName,
  type ConsumerOptions,
  type ListenerOptions,
  PushConsumer,
  type PushConsumerOptions,
} from './client/consumer/push-consumer.js';
export {
  MQAbortError,
  MQBrokerError,
  MQClientError,
  MQRequestTimeoutError,
  RemotingConnectError,
  RemotingError,
  RemotingSendRequestError,
  RemotingTimeoutError,
} from './client/errors.js';
export type { ConsumeFromWhere, MessageModel } from './client/impl/mq-client-inner.js';
export { Message, MessageExt, type MessageOptions } from './client/message.js';
export { createMessageQueue, type MessageQueue } from './client/message-queue.js';
export {
  type ExpressionType,
  MessageSelector,
  type SubscriptionExpression,
} from './client/message-selector.js';
export { MessageUtil } from './client/message-util.js';
export {
  type MessageQueueSelector,
  Producer,
  type ProducerOptions,
  selectMessageQueueByHash,
} from './client/producer/producer.js';
export type { SendOptions } from './client/producer/producer-impl.js';
export type { SendResult, SendStatus } from './client/producer/send-result.js';
export {
  type LocalTransactionState,
  type TransactionListener,
  TransactionProducer,
  type TransactionProducerOptions,
  type TransactionSendResult,
} from './client/producer/transaction-producer.js';
export { AllocateMessageQueueAveragely } from './client/rebalance/allocate-message-queue-averagely.js';
export { AllocateMessageQueueAveragelyByCircle } from './client/rebalance/allocate-message-queue-averagely-by-circle.js';
export { AllocateMessageQueueConsistentHash } from './client/rebalance/allocate-message-queue-consistent-hash.js';
export type { AllocateMessageQueueStrategy } from './client/rebalance/allocate-message-queue-strategy.js';
