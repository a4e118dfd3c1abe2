import { availableParallelism } from 'node:os';

/**
 * The 4.9.8 configuration keys CometMQ has no use for: NettyServerConfig and NettyClientConfig tuning
 * (Netty thread pools, buffer water marks, TLS) and MessageStoreConfig features CometMQ does not have
 * (transient store pool, DLedger, ConsumeQueue ext, LMQ, async schedule delivery, map warm-up...).
 * GET_BROKER_CONFIG prints them with RocketMQ's defaults, as 4.9.8 does (Configuration's
 * getAllConfigsFormatString) and as our NameServer prints its Netty keys, so that tools reading a key
 * find it; UPDATE_BROKER_CONFIG keeps what it is given (shown again, otherwise unused).
 */
export interface InertBrokerConfig {
  // NettyServerConfig
  serverSocketBacklog: number;
  writeBufferHighWaterMark: number;
  writeBufferLowWaterMark: number;
  useTLS: boolean;
  // NettyClientConfig (the broker's client to the NameServer; 4.9.8 includes it in the broker config)
  clientWorkerThreads: number;
  clientCallbackExecutorThreads: number;
  clientOnewaySemaphoreValue: number;
  clientAsyncSemaphoreValue: number;
  connectTimeoutMillis: number;
  channelNotActiveInterval: number;
  clientChannelMaxIdleTimeSeconds: number;
  clientSocketSndBufSize: number;
  clientSocketRcvBufSize: number;
  clientPooledByteBufAllocatorEnable: boolean;
  clientCloseSocketIfTimeout: boolean;
  // MessageStoreConfig
  transientStorePoolEnable: boolean;
  transientStorePoolSize: number;
  fastFailIfNoBufferInStorePool: boolean;
  commitIntervalCommitLog: number;
  commitCommitLogLeastPages: number;
  commitCommitLogThoroughInterval: number;
  flushCommitLogTimed: boolean;
  flushDelayOffsetInterval: number;
  warmMapedFileEnable: boolean;
  flushLeastPagesWhenWarmMapedFile: number;
  useReentrantLockWhenPutMessage: boolean;
  destroyMapedFileIntervalForcibly: number;
  redeleteHangedFileInterval: number;
  putMsgIndexHightWater: number;
  diskFallRecorded: boolean;
  debugLockEnable: boolean;
  duplicationEnable: boolean;
  enableDLegerCommitLog: boolean;
  enableConsumeQueueExt: boolean;
  mappedFileSizeConsumeQueueExt: number;
  bitMapLengthConsumeQueueExt: number;
  enableScheduleMessageStats: boolean;
  enableScheduleAsyncDeliver: boolean;
  scheduleAsyncDeliverMaxPendingLimit: number;
  scheduleAsyncDeliverMaxResendNum2Blocked: number;
  enableMultiDispatch: boolean;
  enableLmq: boolean;
  maxLmqConsumeQueueNum: number;
  isEnableBatchPush: boolean;
}

/** RocketMQ 4.9.8's defaults for the keys above. */
export function defaultInertBrokerConfig(): InertBrokerConfig {
  return {
    serverSocketBacklog: 1024,
    writeBufferHighWaterMark: 0,
    writeBufferLowWaterMark: 0,
    useTLS: false,
    clientWorkerThreads: 4,
    clientCallbackExecutorThreads: availableParallelism(),
    clientOnewaySemaphoreValue: 65535,
    clientAsyncSemaphoreValue: 65535,
    connectTimeoutMillis: 3000,
    channelNotActiveInterval: 60000,
    clientChannelMaxIdleTimeSeconds: 120,
    clientSocketSndBufSize: 0,
    clientSocketRcvBufSize: 0,
    clientPooledByteBufAllocatorEnable: false,
    clientCloseSocketIfTimeout: true,
    transientStorePoolEnable: false,
    transientStorePoolSize: 5,
    fastFailIfNoBufferInStorePool: false,
    commitIntervalCommitLog: 200,
    commitCommitLogLeastPages: 4,
    commitCommitLogThoroughInterval: 200,
    flushCommitLogTimed: true,
    flushDelayOffsetInterval: 10000,
    warmMapedFileEnable: false,
    flushLeastPagesWhenWarmMapedFile: 4096,
    useReentrantLockWhenPutMessage: true,
    destroyMapedFileIntervalForcibly: 120000,
    redeleteHangedFileInterval: 120000,
    putMsgIndexHightWater: 600000,
    diskFallRecorded: true,
    debugLockEnable: false,
    duplicationEnable: false,
    enableDLegerCommitLog: false,
    enableConsumeQueueExt: false,
    mappedFileSizeConsumeQueueExt: 48 * 1024 * 1024,
    bitMapLengthConsumeQueueExt: 64 + 48,
    enableScheduleMessageStats: true,
    enableScheduleAsyncDeliver: false,
    scheduleAsyncDeliverMaxPendingLimit: 2000,
    scheduleAsyncDeliverMaxResendNum2Blocked: 3,
    enableMultiDispatch: false,
    enableLmq: false,
    maxLmqConsumeQueueNum: 20000,
    isEnableBatchPush: false,
  };
}
