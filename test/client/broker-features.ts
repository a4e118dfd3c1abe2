/**
 * Which broker-side features of issue 9 CometMQ's broker has, for the SDK tests that run against both
 * targets. The reference RocketMQ 4.9.8 has all of them. A test needing a feature CometMQ lacks is
 * skipped there, with the feature in its title; when the broker gains one, move it to
 * COMETMQ_BROKER_FEATURES and those tests run against CometMQ too. This is the only list to edit.
 */
import type { ClusterTarget } from '../helpers/mq-cluster.js';

export type BrokerFeature =
  /** LOCK_BATCH_MQ / UNLOCK_BATCH_MQ with a lock table (orderly consumption). */
  | 'LOCK_BATCH_MQ'
  /** A send to %RETRY%group (or CONSUMER_SEND_MSG_BACK) past maxReconsumeTimes lands in %DLQ%group. */
  | 'RETRY_TO_DLQ'
  /** Delayed messages (SCHEDULE_TOPIC_XXXX) come back when due: retries of concurrent consumers. */
  | 'DELAY_LEVEL_DELIVERY'
  /** Half messages, END_TRANSACTION, CHECK_TRANSACTION_STATE check-backs. */
  | 'TRANSACTION'
  /** SQL92 subscriptions evaluated on pull (enablePropertyFilter=true). */
  | 'SQL92_FILTER'
  /** CHECK_CLIENT_CONFIG refuses an SQL92 subscription without enablePropertyFilter. */
  | 'SQL92_REFUSAL'
  /** SEND_REPLY_MESSAGE_V2 and PUSH_REPLY_MESSAGE_TO_CLIENT, the {cluster}_REPLY_TOPIC topic. */
  | 'REQUEST_REPLY'
  /** GET_CONSUMER_RUNNING_INFO (307) and CONSUME_MESSAGE_DIRECTLY (309) forwarded to the client. */
  | 'ADMIN_TO_CLIENT';

/**
 * What CometMQ's broker supports today; COMETMQ_TRY_BROKER_FEATURES=TRANSACTION,SQL92_FILTER (or
 * `all`) runs the tests of more features against it, to see whether they can be lifted.
 */
const COMETMQ_BROKER_FEATURES: ReadonlySet<string> = new Set<string>([
  'LOCK_BATCH_MQ',
  'RETRY_TO_DLQ',
  'DELAY_LEVEL_DELIVERY',
  'TRANSACTION',
  'SQL92_FILTER',
  'SQL92_REFUSAL',
  'REQUEST_REPLY',
  'ADMIN_TO_CLIENT',
  ...(process.env.COMETMQ_TRY_BROKER_FEATURES ?? '').split(',').map((f) => f.trim()),
]);
const TRY_ALL = process.env.COMETMQ_TRY_BROKER_FEATURES === 'all';

export function brokerHas(target: ClusterTarget, ...features: BrokerFeature[]): boolean {
  return target === 'reference' || TRY_ALL || features.every((f) => COMETMQ_BROKER_FEATURES.has(f));
}

/**
 * `it.skipIf(lacks(target, 'TRANSACTION'))(title + needs(target, 'TRANSACTION'), ...)`: the title says
 * why a CometMQ run skips the test.
 */
export function lacks(target: ClusterTarget, ...features: BrokerFeature[]): boolean {
  return !brokerHas(target, ...features);
}

export function needs(target: ClusterTarget, ...features: BrokerFeature[]): string {
  const missing = features.filter((f) => target === 'cometmq' && !TRY_ALL && !COMETMQ_BROKER_FEATURES.has(f));
  return missing.length === 0 ? '' : ` [skipped: CometMQ broker lacks ${missing.join(', ')} (issue 9)]`;
}

/**
 * A broker set up for the issue 9 features: SQL92 filtering on, every delay level 1 s (retries come
 * back at once), and transaction check-backs a second after a half message was left unresolved.
 */
export const ADVANCED_BROKER_ARGS: readonly string[] = [
  '--enablePropertyFilter=true',
  `--messageDelayLevel=${new Array(18).fill('1s').join(' ')}`,
  '--transactionCheckInterval=1000',
  '--transactionTimeOut=1000',
];
