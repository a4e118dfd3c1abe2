/**
 * RocketMQ's message constants, by the names RocketMQ gives them (common/message/MessageConst.java,
 * common/sysflag/*.java, common/constant/PermName.java, common/topic/TopicValidator.java,
 * common/MixAll.java), so that code reading like the Java broker means what the Java broker means.
 */

/** Property keys (protocol.md s.5). */
export const MessageConst = {
  PROPERTY_KEYS: 'KEYS',
  PROPERTY_TAGS: 'TAGS',
  PROPERTY_WAIT_STORE_MSG_OK: 'WAIT',
  PROPERTY_DELAY_TIME_LEVEL: 'DELAY',
  PROPERTY_RETRY_TOPIC: 'RETRY_TOPIC',
  PROPERTY_REAL_TOPIC: 'REAL_TOPIC',
  PROPERTY_REAL_QUEUE_ID: 'REAL_QID',
  PROPERTY_TRANSACTION_PREPARED: 'TRAN_MSG',
  PROPERTY_PRODUCER_GROUP: 'PGROUP',
  PROPERTY_MIN_OFFSET: 'MIN_OFFSET',
  PROPERTY_MAX_OFFSET: 'MAX_OFFSET',
  PROPERTY_BUYER_ID: 'BUYER_ID',
  PROPERTY_ORIGIN_MESSAGE_ID: 'ORIGIN_MESSAGE_ID',
  PROPERTY_TRANSFER_FLAG: 'TRANSFER_FLAG',
  PROPERTY_CORRECTION_FLAG: 'CORRECTION_FLAG',
  PROPERTY_MQ2_FLAG: 'MQ2_FLAG',
  PROPERTY_RECONSUME_TIME: 'RECONSUME_TIME',
  PROPERTY_MSG_REGION: 'MSG_REGION',
  PROPERTY_TRACE_SWITCH: 'TRACE_ON',
  PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX: 'UNIQ_KEY',
  PROPERTY_MAX_RECONSUME_TIMES: 'MAX_RECONSUME_TIMES',
  PROPERTY_CONSUME_START_TIMESTAMP: 'CONSUME_START_TIME',
  PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET: 'TRAN_PREPARED_QUEUE_OFFSET',
  PROPERTY_TRANSACTION_CHECK_TIMES: 'TRANSACTION_CHECK_TIMES',
  PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS: 'CHECK_IMMUNITY_TIME_IN_SECONDS',
  PROPERTY_INSTANCE_ID: 'INSTANCE_ID',
  PROPERTY_CORRELATION_ID: 'CORRELATION_ID',
  PROPERTY_MESSAGE_REPLY_TO_CLIENT: 'REPLY_TO_CLIENT',
  PROPERTY_MESSAGE_TTL: 'TTL',
  PROPERTY_REPLY_MESSAGE_ARRIVE_TIME: 'ARRIVE_TIME',
  PROPERTY_PUSH_REPLY_TIME: 'PUSH_REPLY_TIME',
  PROPERTY_CLUSTER: 'CLUSTER',
  PROPERTY_MESSAGE_TYPE: 'MSG_TYPE',
  PROPERTY_INNER_MULTI_DISPATCH: 'INNER_MULTI_DISPATCH',
  PROPERTY_INNER_MULTI_QUEUE_OFFSET: 'INNER_MULTI_QUEUE_OFFSET',
  // RocketMQ 5's timer message properties (MessageConst), and ali-ons's start deliver time
  PROPERTY_TIMER_DELIVER_MS: 'TIMER_DELIVER_MS',
  PROPERTY_TIMER_DELAY_SEC: 'TIMER_DELAY_SEC',
  PROPERTY_TIMER_DELAY_MS: 'TIMER_DELAY_MS',
  PROPERTY_TIMER_OUT_MS: 'TIMER_OUT_MS',
  PROPERTY_TIMER_ENQUEUE_MS: 'TIMER_ENQUEUE_MS',
  PROPERTY_TIMER_DEQUEUE_MS: 'TIMER_DEQUEUE_MS',
  PROPERTY_TIMER_ROLL_TIMES: 'TIMER_ROLL_TIMES',
  PROPERTY_STARTDELIVERTIME: '__STARTDELIVERTIME',
  /** KEYS holds several keys separated by this. */
  KEY_SEPARATOR: ' ',
} as const;

/** Bits of a message's sysFlag (protocol.md s.5). */
export const MessageSysFlag = {
  COMPRESSED_FLAG: 0x1,
  MULTI_TAGS_FLAG: 0x1 << 1,
  TRANSACTION_NOT_TYPE: 0,
  TRANSACTION_PREPARED_TYPE: 0x1 << 2,
  TRANSACTION_COMMIT_TYPE: 0x2 << 2,
  TRANSACTION_ROLLBACK_TYPE: 0x3 << 2,
  BORNHOST_V6_FLAG: 0x1 << 4,
  STOREHOSTADDRESS_V6_FLAG: 0x1 << 5,
  NEED_UNWRAP_FLAG: 0x1 << 6,
  INNER_BATCH_FLAG: 0x1 << 7,
  COMPRESSION_LZ4_TYPE: 0x1 << 8,
  COMPRESSION_ZSTD_TYPE: 0x2 << 8,
  COMPRESSION_ZLIB_TYPE: 0x3 << 8,
  COMPRESSION_TYPE_COMPARATOR: 0x7 << 8,

  getTransactionValue(flag: number): number {
    return flag & MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;
  },
  resetTransactionValue(flag: number, type: number): number {
    return (flag & ~MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) | type;
  },
  clearCompressedFlag(flag: number): number {
    return flag & ~MessageSysFlag.COMPRESSED_FLAG;
  },
} as const;

/** Bits of PULL_MESSAGE's sysFlag (protocol.md s.5). */
export const PullSysFlag = {
  FLAG_COMMIT_OFFSET: 0x1,
  FLAG_SUSPEND: 0x1 << 1,
  FLAG_SUBSCRIPTION: 0x1 << 2,
  FLAG_CLASS_FILTER: 0x1 << 3,
  FLAG_LITE_PULL_MESSAGE: 0x1 << 4,

  buildSysFlag(
    commitOffset: boolean,
    suspend: boolean,
    subscription: boolean,
    classFilter: boolean,
    litePull = false,
  ): number {
    let flag = 0;
    if (commitOffset) flag |= PullSysFlag.FLAG_COMMIT_OFFSET;
    if (suspend) flag |= PullSysFlag.FLAG_SUSPEND;
    if (subscription) flag |= PullSysFlag.FLAG_SUBSCRIPTION;
    if (classFilter) flag |= PullSysFlag.FLAG_CLASS_FILTER;
    if (litePull) flag |= PullSysFlag.FLAG_LITE_PULL_MESSAGE;
    return flag;
  },
  clearCommitOffsetFlag(sysFlag: number): number {
    return sysFlag & ~PullSysFlag.FLAG_COMMIT_OFFSET;
  },
  hasCommitOffsetFlag(sysFlag: number): boolean {
    return (sysFlag & PullSysFlag.FLAG_COMMIT_OFFSET) === PullSysFlag.FLAG_COMMIT_OFFSET;
  },
  hasSuspendFlag(sysFlag: number): boolean {
    return (sysFlag & PullSysFlag.FLAG_SUSPEND) === PullSysFlag.FLAG_SUSPEND;
  },
  hasSubscriptionFlag(sysFlag: number): boolean {
    return (sysFlag & PullSysFlag.FLAG_SUBSCRIPTION) === PullSysFlag.FLAG_SUBSCRIPTION;
  },
  hasClassFilterFlag(sysFlag: number): boolean {
    return (sysFlag & PullSysFlag.FLAG_CLASS_FILTER) === PullSysFlag.FLAG_CLASS_FILTER;
  },
  hasLitePullFlag(sysFlag: number): boolean {
    return (sysFlag & PullSysFlag.FLAG_LITE_PULL_MESSAGE) === PullSysFlag.FLAG_LITE_PULL_MESSAGE;
  },
} as const;

/** Topic permissions (protocol.md s.6). */
export const PermName = {
  PERM_PRIORITY: 0x1 << 3,
  PERM_READ: 0x1 << 2,
  PERM_WRITE: 0x1 << 1,
  PERM_INHERIT: 0x1,

  perm2String(perm: number): string {
    return `${PermName.isReadable(perm) ? 'R' : '-'}${PermName.isWriteable(perm) ? 'W' : '-'}${
      PermName.isInherited(perm) ? 'X' : '-'
    }`;
  },
  isReadable(perm: number): boolean {
    return (perm & PermName.PERM_READ) === PermName.PERM_READ;
  },
  isWriteable(perm: number): boolean {
    return (perm & PermName.PERM_WRITE) === PermName.PERM_WRITE;
  },
  isInherited(perm: number): boolean {
    return (perm & PermName.PERM_INHERIT) === PermName.PERM_INHERIT;
  },
} as const;

const TOPIC_MAX_LENGTH = 127;
// ^[%|a-zA-Z0-9_-]+$, as TopicValidator.VALID_CHAR_BIT_MAP
const VALID_TOPIC_CHAR = /^[%|a-zA-Z0-9_-]+$/;

/** System topic names and topic checks (TopicValidator.java). */
export const TopicValidator = {
  AUTO_CREATE_TOPIC_KEY_TOPIC: 'TBW102',
  RMQ_SYS_SCHEDULE_TOPIC: 'SCHEDULE_TOPIC_XXXX',
  RMQ_SYS_BENCHMARK_TOPIC: 'BenchmarkTest',
  RMQ_SYS_TRANS_HALF_TOPIC: 'RMQ_SYS_TRANS_HALF_TOPIC',
  RMQ_SYS_TRACE_TOPIC: 'RMQ_SYS_TRACE_TOPIC',
  RMQ_SYS_TRANS_OP_HALF_TOPIC: 'RMQ_SYS_TRANS_OP_HALF_TOPIC',
  RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC: 'TRANS_CHECK_MAX_TIME_TOPIC',
  RMQ_SYS_SELF_TEST_TOPIC: 'SELF_TEST_TOPIC',
  RMQ_SYS_OFFSET_MOVED_EVENT: 'OFFSET_MOVED_EVENT',
  SYSTEM_TOPIC_PREFIX: 'rmq_sys_',
  /** RocketMQ 5's TimerMessageStore.TIMER_TOPIC (SYSTEM_TOPIC_PREFIX + "wheel_timer"). */
  RMQ_SYS_WHEEL_TIMER_TOPIC: 'rmq_sys_wheel_timer',
  TOPIC_MAX_LENGTH,

  isTopicOrGroupIllegal(name: string): boolean {
    return !VALID_TOPIC_CHAR.test(name);
  },
  /** undefined when valid, otherwise RocketMQ's remark for the SYSTEM_ERROR answer. */
  validateTopic(topic: string): string | undefined {
    if (topic.trim().length === 0) return 'The specified topic is blank.';
    if (TopicValidator.isTopicOrGroupIllegal(topic))
      return 'The specified topic contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$';
    if (topic.length > TOPIC_MAX_LENGTH) return 'The specified topic is longer than topic max length.';
    return undefined;
  },
  isSystemTopic(topic: string): boolean {
    return SYSTEM_TOPICS.has(topic) || topic.startsWith(TopicValidator.SYSTEM_TOPIC_PREFIX);
  },
  isNotAllowedSendTopic(topic: string): boolean {
    return NOT_ALLOWED_SEND_TOPICS.has(topic);
  },
} as const;

const SYSTEM_TOPICS: ReadonlySet<string> = new Set([
  TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC,
  TopicValidator.RMQ_SYS_SCHEDULE_TOPIC,
  TopicValidator.RMQ_SYS_BENCHMARK_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRACE_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
  TopicValidator.RMQ_SYS_SELF_TEST_TOPIC,
  TopicValidator.RMQ_SYS_OFFSET_MOVED_EVENT,
]);

const NOT_ALLOWED_SEND_TOPICS: ReadonlySet<string> = new Set([
  TopicValidator.RMQ_SYS_SCHEDULE_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
  TopicValidator.RMQ_SYS_SELF_TEST_TOPIC,
  TopicValidator.RMQ_SYS_OFFSET_MOVED_EVENT,
]);

/** Group and topic naming helpers (MixAll.java). */
export const MixAll = {
  MASTER_ID: 0,
  DEFAULT_PRODUCER_GROUP: 'DEFAULT_PRODUCER',
  DEFAULT_CONSUMER_GROUP: 'DEFAULT_CONSUMER',
  TOOLS_CONSUMER_GROUP: 'TOOLS_CONSUMER',
  SCHEDULE_CONSUMER_GROUP: 'SCHEDULE_CONSUMER',
  FILTERSRV_CONSUMER_GROUP: 'FILTERSRV_CONSUMER',
  MONITOR_CONSUMER_GROUP: '__MONITOR_CONSUMER',
  CLIENT_INNER_PRODUCER_GROUP: 'CLIENT_INNER_PRODUCER',
  SELF_TEST_PRODUCER_GROUP: 'SELF_TEST_P_GROUP',
  SELF_TEST_CONSUMER_GROUP: 'SELF_TEST_C_GROUP',
  CID_RMQ_SYS_PREFIX: 'CID_RMQ_SYS_',
  CID_SYS_RMQ_TRANS: 'CID_RMQ_SYS_TRANS',
  RETRY_GROUP_TOPIC_PREFIX: '%RETRY%',
  DLQ_GROUP_TOPIC_PREFIX: '%DLQ%',
  REPLY_TOPIC_POSTFIX: 'REPLY_TOPIC',
  UNIQUE_MSG_QUERY_FLAG: '_UNIQUE_KEY_QUERY',
  DEFAULT_TRACE_REGION_ID: 'DefaultRegion',
  REPLY_MESSAGE_FLAG: 'reply',
  LMQ_PREFIX: '%LMQ%',
  MULTI_DISPATCH_QUEUE_SPLITTER: ',',

  getRetryTopic(consumerGroup: string): string {
    return MixAll.RETRY_GROUP_TOPIC_PREFIX + consumerGroup;
  },
  getDLQTopic(consumerGroup: string): string {
    return MixAll.DLQ_GROUP_TOPIC_PREFIX + consumerGroup;
  },
  getReplyTopic(clusterName: string): string {
    return `${clusterName}_${MixAll.REPLY_TOPIC_POSTFIX}`;
  },
  isRetryTopic(topic: string): boolean {
    return topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX);
  },
  isDLQTopic(topic: string): boolean {
    return topic.startsWith(MixAll.DLQ_GROUP_TOPIC_PREFIX);
  },
  isSysConsumerGroup(consumerGroup: string): boolean {
    return consumerGroup.startsWith(MixAll.CID_RMQ_SYS_PREFIX);
  },
  isLmq(name: string | undefined): boolean {
    return name?.startsWith(MixAll.LMQ_PREFIX) === true;
  },
} as const;
