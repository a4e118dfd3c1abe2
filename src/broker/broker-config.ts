import { hostname, networkInterfaces } from 'node:os';

/**
 * The broker's own settings: RocketMQ 4.9.8's BrokerConfig and NettyServerConfig keys under their
 * names and with their defaults (protocol.md s.8), plus a few CometMQ keys (marked). Store keys
 * (flushDiskType, storePathRootDir, brokerRole, ...) live in MessageStoreConfig; a broker.conf mixes
 * both, as RocketMQ's does. Thread-pool keys mean nothing to one event loop: they are accepted and
 * shown by GET_BROKER_CONFIG so that a RocketMQ broker.conf loads without warnings.
 */
export interface BrokerConfig {
  rocketmqHome: string;
  namesrvAddr: string;
  brokerIP1: string;
  brokerIP2: string;
  brokerName: string;
  brokerClusterName: string;
  brokerId: number;
  brokerPermission: number;
  defaultTopicQueueNums: number;
  autoCreateTopicEnable: boolean;
  clusterTopicEnable: boolean;
  brokerTopicEnable: boolean;
  autoCreateSubscriptionGroup: boolean;
  messageStorePlugIn: string;
  msgTraceTopicName: string;
  traceTopicEnable: boolean;
  sendMessageThreadPoolNums: number;
  putMessageFutureThreadPoolNums: number;
  pullMessageThreadPoolNums: number;
  processReplyMessageThreadPoolNums: number;
  queryMessageThreadPoolNums: number;
  adminBrokerThreadPoolNums: number;
  clientManageThreadPoolNums: number;
  consumerManageThreadPoolNums: number;
  heartbeatThreadPoolNums: number;
  endTransactionThreadPoolNums: number;
  flushConsumerOffsetInterval: number;
  flushConsumerOffsetHistoryInterval: number;
  rejectTransactionMessage: boolean;
  fetchNamesrvAddrByAddressServer: boolean;
  /** Sends waiting for the store beyond this many get SYSTEM_BUSY "[OVERLOAD]" (RocketMQ: send pool queue). */
  sendThreadPoolQueueCapacity: number;
  putThreadPoolQueueCapacity: number;
  pullThreadPoolQueueCapacity: number;
  replyThreadPoolQueueCapacity: number;
  queryThreadPoolQueueCapacity: number;
  clientManagerThreadPoolQueueCapacity: number;
  consumerManagerThreadPoolQueueCapacity: number;
  heartbeatThreadPoolQueueCapacity: number;
  endTransactionPoolQueueCapacity: number;
  filterServerNums: number;
  longPollingEnable: boolean;
  shortPollingTimeMills: number;
  notifyConsumerIdsChangedEnable: boolean;
  highSpeedMode: boolean;
  commercialEnable: boolean;
  commercialTimerCount: number;
  commercialTransCount: number;
  commercialBigCount: number;
  commercialBaseCount: number;
  transferMsgByHeap: boolean;
  maxDelayTime: number;
  regionId: string;
  registerBrokerTimeoutMills: number;
  slaveReadEnable: boolean;
  disableConsumeIfConsumerReadSlowly: boolean;
  consumerFallbehindThreshold: number;
  brokerFastFailureEnable: boolean;
  waitTimeMillsInSendQueue: number;
  waitTimeMillsInPullQueue: number;
  waitTimeMillsInHeartbeatQueue: number;
  waitTimeMillsInTransactionQueue: number;
  startAcceptSendRequestTimeStamp: number;
  traceOn: boolean;
  enableCalcFilterBitMap: boolean;
  expectConsumerNumUseFilter: number;
  maxErrorRateOfBloomFilter: number;
  filterDataCleanTimeSpan: number;
  filterSupportRetry: boolean;
  enablePropertyFilter: boolean;
  compressedRegister: boolean;
  forceRegister: boolean;
  registerNameServerPeriod: number;
  transactionTimeOut: number;
  transactionCheckMax: number;
  transactionCheckInterval: number;
  aclEnable: boolean;
  storeReplyMessageEnable: boolean;
  enableDetailStat: boolean;
  autoDeleteUnusedStats: boolean;
  isolateLogEnable: boolean;
  configBlackList: string;
  /** RocketMQ 5 (MessageStoreConfig): timer messages (TIMER_DELIVER_MS, ...) accepted and delivered. */
  timerWheelEnable: boolean;
  /** RocketMQ 5: a timer further than this in the future is refused (MESSAGE_ILLEGAL). */
  timerMaxDelaySec: number;
  /** RocketMQ 5 (default 1000 there): one wheel slot; CometMQ delivers at or after the due time, never before. */
  timerPrecisionMs: number;
  /** RocketMQ 5: timers further than this many slots ahead wait in a nearer slot and are re-put (rolled). */
  timerRollWindowSlot: number;
  /** RocketMQ 5: TimerLog, wheel and timercheck made durable this often. */
  timerFlushIntervalMs: number;
  /** RocketMQ 5: TimerLog file size. */
  mappedFileSizeTimerLog: number;
  /** CometMQ: slots of the wheel (RocketMQ 5: TIMER_WHEEL_TTL_DAY * DAY_SECS, fixed). */
  timerWheelSlots: number;

  // NettyServerConfig
  listenPort: number;
  serverChannelMaxIdleTimeSeconds: number;
  serverWorkerThreads: number;
  serverCallbackExecutorThreads: number;
  serverSelectorThreads: number;
  serverOnewaySemaphoreValue: number;
  serverAsyncSemaphoreValue: number;
  serverSocketSndBufSize: number;
  serverSocketRcvBufSize: number;
  serverPooledByteBufAllocatorEnable: boolean;
  useEpollNativeSelector: boolean;
  /** CometMQ: address to bind (RocketMQ 5's NettyServerConfig.bindAddress). */
  bindAddress: string;
  /** CometMQ: largest frame accepted (com.rocketmq.remoting.frameMaxLength). */
  frameMaxLength: number;
  /**
   * CometMQ: sockets, frame decoding and response encoding on a worker thread, leaving the main
   * thread to the processors and the store (design.md s.5).
   */
  networkWorkerEnable: boolean;
}

/** RemotingUtil.getLocalAddress: the first non-loopback IPv4 address, else 127.0.0.1. */
export function localAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export function defaultBrokerConfig(): BrokerConfig {
  const ip = localAddress();
  return {
    rocketmqHome: process.env.ROCKETMQ_HOME ?? '',
    namesrvAddr: process.env.NAMESRV_ADDR ?? '',
    brokerIP1: ip,
    brokerIP2: ip,
    brokerName: hostname(),
    brokerClusterName: 'DefaultCluster',
    brokerId: 0,
    brokerPermission: 6,
    defaultTopicQueueNums: 8,
    autoCreateTopicEnable: true,
    clusterTopicEnable: true,
    brokerTopicEnable: true,
    autoCreateSubscriptionGroup: true,
    messageStorePlugIn: '',
    msgTraceTopicName: 'RMQ_SYS_TRACE_TOPIC',
    traceTopicEnable: false,
    sendMessageThreadPoolNums: 1,
    putMessageFutureThreadPoolNums: 1,
    pullMessageThreadPoolNums: 20,
    processReplyMessageThreadPoolNums: 20,
    queryMessageThreadPoolNums: 10,
    adminBrokerThreadPoolNums: 16,
    clientManageThreadPoolNums: 32,
    consumerManageThreadPoolNums: 32,
    heartbeatThreadPoolNums: 2,
    endTransactionThreadPoolNums: 12,
    flushConsumerOffsetInterval: 5000,
    flushConsumerOffsetHistoryInterval: 60_000,
    rejectTransactionMessage: false,
    fetchNamesrvAddrByAddressServer: false,
    sendThreadPoolQueueCapacity: 10_000,
    putThreadPoolQueueCapacity: 10_000,
    pullThreadPoolQueueCapacity: 100_000,
    replyThreadPoolQueueCapacity: 10_000,
    queryThreadPoolQueueCapacity: 20_000,
    clientManagerThreadPoolQueueCapacity: 1_000_000,
    consumerManagerThreadPoolQueueCapacity: 1_000_000,
    heartbeatThreadPoolQueueCapacity: 50_000,
    endTransactionPoolQueueCapacity: 100_000,
    filterServerNums: 0,
    longPollingEnable: true,
    shortPollingTimeMills: 1000,
    notifyConsumerIdsChangedEnable: true,
    highSpeedMode: false,
    commercialEnable: true,
    commercialTimerCount: 1,
    commercialTransCount: 1,
    commercialBigCount: 1,
    commercialBaseCount: 1,
    transferMsgByHeap: true,
    maxDelayTime: 40,
    regionId: 'DefaultRegion',
    registerBrokerTimeoutMills: 6000,
    slaveReadEnable: false,
    disableConsumeIfConsumerReadSlowly: false,
    consumerFallbehindThreshold: 16 * 1024 * 1024 * 1024,
    brokerFastFailureEnable: true,
    waitTimeMillsInSendQueue: 200,
    waitTimeMillsInPullQueue: 5000,
    waitTimeMillsInHeartbeatQueue: 31_000,
    waitTimeMillsInTransactionQueue: 3000,
    startAcceptSendRequestTimeStamp: 0,
    traceOn: true,
    enableCalcFilterBitMap: false,
    expectConsumerNumUseFilter: 32,
    maxErrorRateOfBloomFilter: 20,
    filterDataCleanTimeSpan: 24 * 3600 * 1000,
    filterSupportRetry: false,
    enablePropertyFilter: false,
    compressedRegister: false,
    forceRegister: true,
    registerNameServerPeriod: 30_000,
    transactionTimeOut: 6000,
    transactionCheckMax: 15,
    transactionCheckInterval: 60_000,
    aclEnable: false,
    storeReplyMessageEnable: true,
    enableDetailStat: true,
    autoDeleteUnusedStats: false,
    isolateLogEnable: false,
    configBlackList: 'configBlackList;brokerConfigPath',
    timerWheelEnable: true,
    timerMaxDelaySec: 3 * 24 * 3600,
    timerPrecisionMs: 100,
    timerRollWindowSlot: 2 * 24 * 3600,
    timerFlushIntervalMs: 1000,
    mappedFileSizeTimerLog: 100 * 1024 * 1024,
    timerWheelSlots: 7 * 24 * 3600,

    listenPort: 10911,
    serverChannelMaxIdleTimeSeconds: 120,
    serverWorkerThreads: 8,
    serverCallbackExecutorThreads: 0,
    serverSelectorThreads: 3,
    serverOnewaySemaphoreValue: 256,
    serverAsyncSemaphoreValue: 64,
    serverSocketSndBufSize: 131072,
    serverSocketRcvBufSize: 131072,
    serverPooledByteBufAllocatorEnable: true,
    useEpollNativeSelector: false,
    bindAddress: '0.0.0.0',
    frameMaxLength: 16 * 1024 * 1024,
    networkWorkerEnable: false,
  };
}

/** Keys UPDATE_BROKER_CONFIG may never change at run time (RocketMQ's configBlackList plus the obvious). */
export const FIXED_BROKER_KEYS = new Set([
  'configBlackList',
  'brokerConfigPath',
  'listenPort',
  'bindAddress',
  'brokerName',
  'brokerClusterName',
  'brokerId',
  'storePathRootDir',
  'storePathCommitLog',
  'networkWorkerEnable',
]);
