import { statfs } from 'node:fs/promises';
import type { BrokerContext } from '../broker-context.js';

/** Counters GET_BROKER_RUNTIME_INFO reports (RocketMQ's BrokerStats, kept to plain numbers). */
export interface BrokerStats {
  msgPutTotal(): number;
  msgGetTotal(): number;
  /** Sends waiting for the store (the analogue of sendThreadPoolQueueSize). */
  sendQueueSize(): number;
  /** How long the oldest of them has waited, ms (sendThreadPoolQueueHeadWaitTimeMills). */
  sendQueueHeadWaitMs(): number;
  pullHeldCount(): number;
}

/** MixAll.humanReadableByteCount(bytes, si=false): "251.9 GiB". */
export function humanReadableByteCount(bytes: number): string {
  const unit = 1024;
  if (bytes < unit) return `${bytes} B`;
  const exp = Math.floor(Math.log(bytes) / Math.log(unit));
  return `${(bytes / unit ** exp).toFixed(1)} ${'KMGTPE'[exp - 1]}iB`;
}

/**
 * The KVTable of GET_BROKER_RUNTIME_INFO with 4.9.8's key names (AdminBrokerProcessor.prepareRuntimeInfo),
 * so mqadmin's brokerStatus and clusterList show every column: the broker's own counters and queue
 * sizes here, the store's figures (putTps, getTransferedTps, commitLogDiskRatio, ...) from the store.
 */
export async function brokerRuntimeInfo(
  ctx: BrokerContext,
  stats: BrokerStats,
): Promise<Record<string, string>> {
  const b = ctx.brokerConfig;
  const store = ctx.messageStore;
  let capacity = '';
  try {
    const fsStats = await statfs(ctx.storeConfig.storePathCommitLog || ctx.storeConfig.storePathRootDir);
    capacity = `Total : ${humanReadableByteCount(fsStats.blocks * fsStats.bsize)}, Free : ${humanReadableByteCount(fsStats.bavail * fsStats.bsize)}.`;
  } catch {
    capacity = 'Total : 0 B, Free : 0 B.';
  }
  let earliest = 0;
  try {
    earliest = await store.getEarliestMessageTime();
  } catch {
    earliest = 0;
  }
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
    sendThreadPoolQueueHeadWaitTimeMills: String(stats.sendQueueHeadWaitMs()),
    pullThreadPoolQueueSize: String(stats.pullHeldCount()),
    pullThreadPoolQueueCapacity: String(b.pullThreadPoolQueueCapacity),
    pullThreadPoolQueueHeadWaitTimeMills: '0',
    queryThreadPoolQueueSize: '0',
    queryThreadPoolQueueCapacity: String(b.queryThreadPoolQueueCapacity),
    queryThreadPoolQueueHeadWaitTimeMills: '0',
    EndTransactionQueueSize: '0',
    EndTransactionThreadPoolQueueCapacity: String(b.endTransactionPoolQueueCapacity),
    earliestMessageTimeStamp: String(earliest),
    startAcceptSendRequestTimeStamp: String(b.startAcceptSendRequestTimeStamp),
    commitLogDirCapacity: capacity,
    remainHowManyDataToFlush: humanReadableByteCount(
      Math.max(0, store.getMaxPhyOffset() - store.commitLogQueue.flushedWhere),
    ),
    brokerRole: ctx.storeConfig.brokerRole,
    ...store.getRuntimeInfo(),
    // CometMQ's HA keys (issue 6): master-slave and failover tests read haConnectionCount from here
    ...ctx.haRuntimeInfo?.(),
  };
}
