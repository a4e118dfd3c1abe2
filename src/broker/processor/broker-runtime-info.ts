import type { BrokerContext } from '../broker-context.js';

/** Counters GET_BROKER_RUNTIME_INFO reports (RocketMQ's BrokerStats, kept to plain numbers). */
export interface BrokerStats {
  msgPutTotal(): number;
  msgGetTotal(): number;
  /** Sends waiting for the store (the analogue of sendThreadPoolQueueSize). */
  sendQueueSize(): number;
  pullHeldCount(): number;
}

export function brokerRuntimeInfo(ctx: BrokerContext, stats: BrokerStats): Record<string, string> {
  const b = ctx.brokerConfig;
  const store = ctx.messageStore;
  return {
    brokerVersionDesc: 'V4_9_8',
    brokerVersion: '409',
    msgPutTotalYesterdayMorning: '0',
    msgPutTotalTodayMorning: '0',
    msgPutTotalTodayNow: String(stats.msgPutTotal()),
    msgGetTotalYesterdayMorning: '0',
    msgGetTotalTodayMorning: '0',
    msgGetTotalTodayNow: String(stats.msgGetTotal()),
    sendThreadPoolQueueSize: String(stats.sendQueueSize()),
    sendThreadPoolQueueCapacity: String(b.sendThreadPoolQueueCapacity),
    pullThreadPoolQueueSize: String(stats.pullHeldCount()),
    pullThreadPoolQueueCapacity: String(b.pullThreadPoolQueueCapacity),
    queryThreadPoolQueueSize: '0',
    queryThreadPoolQueueCapacity: String(b.queryThreadPoolQueueCapacity),
    startAcceptSendRequestTimeStamp: String(b.startAcceptSendRequestTimeStamp),
    brokerRole: ctx.storeConfig.brokerRole,
    ...store.getRuntimeInfo(),
    ...ctx.haRuntimeInfo?.(),
  };
}
