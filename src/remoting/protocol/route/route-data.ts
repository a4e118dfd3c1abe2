/**
 * The wire shapes the NameServer reads and writes (RocketMQ 4.9.8 common/protocol/route and
 * common/protocol/body). Field names are RocketMQ's exactly; they go to JSON as they are. The route
 * shapes are remoting's, shared with the client.
 */
export type {
  BrokerData,
  QueueData,
  TopicRouteData,
} from './topic-route-data.js';

/** PermName: a queue's permission bits. */
export const PermName = { PERM_PRIORITY: 8, PERM_READ: 4, PERM_WRITE: 2, PERM_INHERIT: 1 } as const;

/** TopicSysFlag: unit flags on a topic (RocketMQ's unit mode; CometMQ only reports them). */
export const TopicSysFlag = { FLAG_UNIT: 0x1, FLAG_UNIT_SUB: 0x2 } as const;

export const MASTER_ID = 0;

/** KV namespace whose entries are per-topic order configs ("brokerName:queueNums;..."). */
export const NAMESPACE_ORDER_TOPIC_CONFIG = 'ORDER_TOPIC_CONFIG';

export interface DataVersion {
  timestamp: number;
  counter: number;
}

export type TopicFilterType = 'SINGLE_TAG' | 'MULTI_TAG';

export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicFilterType: TopicFilterType;
  topicSysFlag: number;
  order: boolean;
}

export interface RegisterBrokerBody {
  topicConfigSerializeWrapper: { topicConfigTable: Map<string, TopicConfig>; dataVersion: DataVersion };
  filterServerList: string[];
}

export function dataVersionEquals(a: DataVersion | undefined, b: DataVersion | undefined): boolean {
  return a !== undefined && b !== undefined && a.timestamp === b.timestamp && a.counter === b.counter;
}
