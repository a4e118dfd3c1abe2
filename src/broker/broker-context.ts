import type { DefaultMessageStore } from '../store/default-message-store.js';
import type { MessageStoreConfig } from '../store/message-store-config.js';
import type { BrokerConfig } from './broker-config.js';
import type { ConsumerManager } from './client/consumer-manager.js';
import type { ProducerManager } from './client/producer-manager.js';
import type { ConsumerOffsetManager } from './offset/consumer-offset-manager.js';
import type { BrokerStatsManager } from './stats/broker-stats-manager.js';
import type { SubscriptionGroupManager } from './subscription/subscription-group-manager.js';
import type { TopicConfigManager } from './topic/topic-config-manager.js';

/**
 * What processors see of the broker: its configs, tables and store. The controller implements it; the
 * processors never import the controller, so they stay testable and the controller stays wiring only.
 */
export interface BrokerContext {
  readonly brokerConfig: BrokerConfig;
  readonly storeConfig: MessageStoreConfig;
  readonly messageStore: DefaultMessageStore;
  readonly topicConfigManager: TopicConfigManager;
  readonly consumerOffsetManager: ConsumerOffsetManager;
  readonly subscriptionGroupManager: SubscriptionGroupManager;
  readonly consumerManager: ConsumerManager;
  readonly producerManager: ProducerManager;
  /** "ip:port" this broker registers and puts in offset msgIds (brokerIP1:listenPort). */
  readonly brokerAddr: string;
  /** Slaves refuse writes and answer pulls per slaveReadEnable (issue 6). */
  isSlave(): boolean;
  /** HA state (slaves and their acks on a master, the link on a slave) for GET_BROKER_RUNTIME_INFO. */
  haRuntimeInfo?(): Record<string, string>;
  /** Per-topic and per-group counters (VIEW_BROKER_STATS_DATA, mqadmin statsAll); absent in bare test contexts. */
  readonly brokerStatsManager?: BrokerStatsManager;
  /** Re-registers with every NameServer now (after a topic change). */
  registerBrokerAll(): void;
}

/** FAQUrl.suggestTodo, appended to some of RocketMQ's remarks. */
export function suggestTodo(url: string): string {
  return `\nSee ${url} for further details.`;
}

export const FAQ = {
  APPLY_TOPIC_URL: 'http://rocketmq.apache.org/docs/faq/',
  SUBSCRIPTION_GROUP_NOT_EXIST: 'http://rocketmq.apache.org/docs/faq/',
  SAME_GROUP_DIFFERENT_TOPIC: 'http://rocketmq.apache.org/docs/faq/',
} as const;
