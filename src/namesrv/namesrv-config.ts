import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * NameServer configuration: RocketMQ 4.9.8's NamesrvConfig and NettyServerConfig keys under their names,
 * plus the few CometMQ adds (marked). Netty tuning keys that mean nothing to Node are accepted, shown by
 * GET_NAMESRV_CONFIG and otherwise ignored, so a RocketMQ namesrv.conf loads without warnings.
 * docs/configuration.md lists them.
 */
export interface NamesrvConfig {
  rocketmqHome: string;
  kvConfigPath: string;
  /** Where UPDATE_NAMESRV_CONFIG persists the whole config; `-c file` makes it that file, as RocketMQ. */
  configStorePath: string;
  productEnvName: string;
  clusterTest: boolean;
  /** Put ORDER_TOPIC_CONFIG's entry for the topic into routes as orderTopicConf (4.9.8 default false). */
  orderMessageEnable: boolean;
  /** Keys UPDATE_NAMESRV_CONFIG may not change, `;`-separated (added to the fixed ones). */
  configBlackList: string;

  listenPort: number;
  /** CometMQ: address to bind (RocketMQ 5's NettyServerConfig.bindAddress). */
  bindAddress: string;
  /** A connection silent this long is closed (and a broker on it removed). */
  serverChannelMaxIdleTimeSeconds: number;
  /** CometMQ: a broker whose last registration is older than this (ms) is removed (4.9.8: fixed 120 s). */
  brokerChannelExpiredTime: number;
  /** CometMQ: how often (ms) to look for such brokers (4.9.8: fixed 10 s; RocketMQ 5 has this key). */
  scanNotActiveBrokerInterval: number;

  serverWorkerThreads: number;
  serverCallbackExecutorThreads: number;
  serverSelectorThreads: number;
  serverOnewaySemaphoreValue: number;
  serverAsyncSemaphoreValue: number;
  serverSocketSndBufSize: number;
  serverSocketRcvBufSize: number;
  writeBufferHighWaterMark: number;
  writeBufferLowWaterMark: number;
  serverSocketBacklog: number;
  serverPooledByteBufAllocatorEnable: boolean;
  useEpollNativeSelector: boolean;
}

export function defaultNamesrvConfig(): NamesrvConfig {
  const home = homedir();
  return {
    rocketmqHome: process.env.ROCKETMQ_HOME ?? '',
    kvConfigPath: join(home, 'namesrv', 'kvConfig.json'),
    configStorePath: join(home, 'namesrv', 'namesrv.properties'),
    productEnvName: 'center',
    clusterTest: false,
    orderMessageEnable: false,
    configBlackList: 'configBlackList;configStorePath;kvConfigPath',

    listenPort: 9876,
    bindAddress: '0.0.0.0',
    serverChannelMaxIdleTimeSeconds: 120,
    brokerChannelExpiredTime: 120_000,
    scanNotActiveBrokerInterval: 10_000,

    serverWorkerThreads: 8,
    serverCallbackExecutorThreads: 0,
    serverSelectorThreads: 3,
    serverOnewaySemaphoreValue: 256,
    serverAsyncSemaphoreValue: 64,
    serverSocketSndBufSize: 0,
    serverSocketRcvBufSize: 0,
    writeBufferHighWaterMark: 0,
    writeBufferLowWaterMark: 0,
    serverSocketBacklog: 1024,
    serverPooledByteBufAllocatorEnable: true,
    useEpollNativeSelector: false,
  };
}

/** Keys UPDATE_NAMESRV_CONFIG refuses (NO_PERMISSION), as DefaultRequestProcessor.initConfigBlackList. */
export function configBlackList(cfg: NamesrvConfig): Set<string> {
  const set = new Set(['configBlackList', 'configStorePath', 'kvConfigPath', 'rocketmqHome']);
  for (const k of cfg.configBlackList.split(';')) if (k.trim()) set.add(k.trim());
  return set;
}
