import { parseLenientJson, toJson } from '../../../common/lenient-json.js';
import { asObject, bool, num, optObject, str } from './json-fields.js';

/**
 * SubscriptionGroupConfig (common/subscription): per consumer group settings, the body of
 * UPDATE_AND_CREATE_SUBSCRIPTIONGROUP and the values of subscriptionGroup.json.
 */
export interface SubscriptionGroupConfig {
  groupName: string;
  consumeEnable: boolean;
  consumeFromMinEnable: boolean;
  consumeBroadcastEnable: boolean;
  retryQueueNums: number;
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
  notifyConsumerIdsChangedEnable: boolean;
}

export interface DataVersionLike {
  timestamp: number;
  counter: number;
}

/** GET_ALL_SUBSCRIPTIONGROUP_CONFIG reply body and subscriptionGroup.json (SubscriptionGroupWrapper). */
export interface SubscriptionGroupWrapper {
  subscriptionGroupTable: Record<string, SubscriptionGroupConfig>;
  dataVersion: DataVersionLike;
}

/** RocketMQ's field defaults. */
export function defaultSubscriptionGroupConfig(groupName: string): SubscriptionGroupConfig {
  return {
    groupName,
    consumeEnable: true,
    consumeFromMinEnable: true,
    consumeBroadcastEnable: true,
    retryQueueNums: 1,
    retryMaxTimes: 16,
    brokerId: 0,
    whichBrokerWhenConsumeSlowly: 1,
    notifyConsumerIdsChangedEnable: true,
  };
}

export function toSubscriptionGroupConfig(v: unknown, fallbackName?: string): SubscriptionGroupConfig {
  const o = asObject(v, 'subscriptionGroupConfig');
  const d = defaultSubscriptionGroupConfig(str(o, 'groupName', fallbackName));
  return {
    groupName: d.groupName,
    consumeEnable: bool(o, 'consumeEnable', d.consumeEnable),
    consumeFromMinEnable: bool(o, 'consumeFromMinEnable', d.consumeFromMinEnable),
    consumeBroadcastEnable: bool(o, 'consumeBroadcastEnable', d.consumeBroadcastEnable),
    retryQueueNums: num(o, 'retryQueueNums', d.retryQueueNums),
    retryMaxTimes: num(o, 'retryMaxTimes', d.retryMaxTimes),
    brokerId: num(o, 'brokerId', d.brokerId),
    whichBrokerWhenConsumeSlowly: num(o, 'whichBrokerWhenConsumeSlowly', d.whichBrokerWhenConsumeSlowly),
    notifyConsumerIdsChangedEnable: bool(
      o,
      'notifyConsumerIdsChangedEnable',
      d.notifyConsumerIdsChangedEnable,
    ),
  };
}

export function encodeSubscriptionGroupConfig(c: SubscriptionGroupConfig): Buffer {
  return Buffer.from(toJson(c));
}

export function decodeSubscriptionGroupConfig(body: Buffer): SubscriptionGroupConfig {
  return toSubscriptionGroupConfig(parseLenientJson(body));
}

export function encodeSubscriptionGroupWrapper(w: SubscriptionGroupWrapper, pretty = false): string {
  return pretty ? JSON.stringify(JSON.parse(toJson(w)), null, '\t') : toJson(w);
}

export function decodeSubscriptionGroupWrapper(text: string | Buffer): SubscriptionGroupWrapper {
  const o = asObject(parseLenientJson(text), 'subscriptionGroupWrapper');
  const table: Record<string, SubscriptionGroupConfig> = {};
  for (const [name, c] of Object.entries(optObject(o, 'subscriptionGroupTable') ?? {})) {
    table[name] = toSubscriptionGroupConfig(c, name);
  }
  const dv = optObject(o, 'dataVersion') ?? {};
  return {
    subscriptionGroupTable: table,
    dataVersion: { timestamp: num(dv, 'timestamp', 0), counter: num(dv, 'counter', 0) },
  };
}
