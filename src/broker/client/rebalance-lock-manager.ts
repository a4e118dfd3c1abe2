import type { MessageQueue } from '../../remoting/protocol/body/message-queue.js';

/** rocketmq.broker.rebalance.lockMaxLiveTime: a lock not renewed for this long may be taken over. */
export const REBALANCE_LOCK_MAX_LIVE_TIME_MS = 60_000;

interface LockEntry {
  clientId: string;
  lastUpdateTimestamp: number;
}

const key = (mq: MessageQueue): string => `${mq.topic}\u0001${mq.brokerName}\u0001${mq.queueId}`;

/**
 * RebalanceLockManager: which client of a group holds each queue, for orderly consumers
 * (LOCK_BATCH_MQ / UNLOCK_BATCH_MQ). Clients renew their locks every 20 s; an unrenewed lock expires
 * after 60 s and another member may take it.
 */
export class RebalanceLockManager {
  private readonly mqLockTable = new Map<string, Map<string, LockEntry>>();

  constructor(private readonly now: () => number = Date.now) {}

  tryLockBatch(group: string, mqs: MessageQueue[], clientId: string): MessageQueue[] {
    let table = this.mqLockTable.get(group);
    if (!table) {
      table = new Map();
      this.mqLockTable.set(group, table);
    }
    const locked: MessageQueue[] = [];
    const now = this.now();
    for (const mq of mqs) {
      const k = key(mq);
      const e = table.get(k);
      if (!e || e.clientId === clientId || now - e.lastUpdateTimestamp > REBALANCE_LOCK_MAX_LIVE_TIME_MS) {
        table.set(k, { clientId, lastUpdateTimestamp: now });
        locked.push(mq);
      }
    }
    return locked;
  }

  unlockBatch(group: string, mqs: MessageQueue[], clientId: string): void {
    const table = this.mqLockTable.get(group);
    if (!table) return;
    for (const mq of mqs) {
      const k = key(mq);
      if (table.get(k)?.clientId === clientId) table.delete(k);
    }
  }

  isLocked(group: string, mq: MessageQueue, clientId: string): boolean {
    const e = this.mqLockTable.get(group)?.get(key(mq));
    return (
      e !== undefined &&
      e.clientId === clientId &&
      this.now() - e.lastUpdateTimestamp <= REBALANCE_LOCK_MAX_LIVE_TIME_MS
    );
  }
}
