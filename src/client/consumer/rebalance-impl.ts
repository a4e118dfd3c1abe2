import { componentLogger } from '../../common/logger.js';
import type { SubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';
import type { ConsumeType, MessageModel } from '../impl/mq-client-inner.js';
import type { MQClientInstance } from '../impl/mq-client-instance.js';
import { compareMessageQueue, type MessageQueue, messageQueueKey } from '../message-queue.js';
import type { AllocateMessageQueueStrategy } from '../rebalance/allocate-message-queue-strategy.js';
import { ProcessQueue } from './process-queue.js';

const log = componentLogger('client.rebalance');

/** A queue a consumer now owns and where to start reading it. */
export interface PullRequest {
  consumerGroup: string;
  messageQueue: MessageQueue;
  processQueue: ProcessQueue;
  nextOffset: number;
  /** Orderly: the first pull since the queue was locked re-read the committed offset (previouslyLocked). */
  previouslyLocked?: boolean;
}

/** What differs between push and lite-pull rebalancing (RebalancePushImpl, RebalanceLitePullImpl). */
export interface RebalanceHooks {
  /** Releases a queue that is no longer ours; false keeps it (try again next time). */
  removeUnnecessaryMessageQueue(mq: MessageQueue, pq: ProcessQueue): Promise<boolean>;
  /** Where to start a newly assigned queue; < 0 means "not now". */
  computePullFromWhere(mq: MessageQueue): Promise<number>;
  removeDirtyOffset(mq: MessageQueue): void;
  dispatchPullRequest(requests: PullRequest[]): void;
  messageQueueChanged(topic: string, mqAll: MessageQueue[], mqDivided: MessageQueue[]): void;
  /** Orderly: a newly assigned queue could not be locked (its last owner still holds it). */
  lockFailed?(): void;
}

/**
 * Decides which queues this consumer owns (client/.../impl/consumer/RebalanceImpl.java): all of them
 * when broadcasting; in clustering, the strategy's share given the sorted queue and member lists every
 * member reads alike. A queue that moves away is released (offset persisted) before it is forgotten.
 */
export class RebalanceImpl {
  readonly processQueueTable = new Map<string, { mq: MessageQueue; pq: ProcessQueue }>();
  readonly topicSubscribeInfoTable = new Map<string, MessageQueue[]>();
  readonly subscriptionInner = new Map<string, SubscriptionData>();
  /**
   * Orderly consumption (doRebalance(isOrder)): a queue is taken only once LOCK_BATCH_MQ granted it,
   * and released queues are unlocked by the consumer's removeUnnecessaryMessageQueue.
   */
  consumeOrderly = false;

  constructor(
    private readonly group: string,
    private readonly messageModel: MessageModel,
    private readonly consumeType: ConsumeType,
    readonly strategy: AllocateMessageQueueStrategy,
    private readonly instance: MQClientInstance,
    private readonly hooks: RebalanceHooks,
  ) {}

  async doRebalance(): Promise<void> {
    for (const topic of [...this.subscriptionInner.keys()]) {
      try {
        await this.rebalanceByTopic(topic);
      } catch (err) {
        log.warn({ err, topic, group: this.group }, 'rebalance by topic failed');
      }
    }
    await this.truncateMessageQueueNotMyTopic();
  }

  private async rebalanceByTopic(topic: string): Promise<void> {
    let mqSet = this.topicSubscribeInfoTable.get(topic);
    if (!mqSet) {
      // e.g. %RETRY%group, which the broker creates on our first heartbeat: ask now rather than at the
      // next 30 s route poll, so retried messages do not wait for it
      await this.instance.updateTopicRouteInfoFromNameServer(topic);
      mqSet = this.topicSubscribeInfoTable.get(topic);
    }
    if (!mqSet) {
      log.debug({ topic, group: this.group }, 'no subscribe info for topic yet');
      return;
    }
    if (this.messageModel === 'BROADCASTING') {
      const changed = await this.updateProcessQueueTableInRebalance(topic, mqSet);
      if (changed) this.hooks.messageQueueChanged(topic, mqSet, mqSet);
      return;
    }
    const cidAll = await this.instance.findConsumerIdList(topic, this.group);
    if (!cidAll || cidAll.length === 0) {
      log.debug({ topic, group: this.group }, 'no consumer id list for group yet');
      return;
    }
    const mqAll = [...mqSet].sort(compareMessageQueue);
    const cids = [...cidAll].sort();
    let allocated: MessageQueue[];
    try {
      allocated = this.strategy.allocate(this.group, this.instance.clientId, mqAll, cids);
    } catch (err) {
      log.warn({ err, strategy: this.strategy.name }, 'allocate failed');
      return;
    }
    const changed = await this.updateProcessQueueTableInRebalance(topic, allocated);
    if (changed) {
      log.debug(
        {
          topic,
          group: this.group,
          clientId: this.instance.clientId,
          queues: allocated.map((q) => q.queueId),
        },
        'rebalance changed',
      );
      this.hooks.messageQueueChanged(topic, mqAll, allocated);
    }
  }

  private async updateProcessQueueTableInRebalance(
    topic: string,
    mqSet: readonly MessageQueue[],
  ): Promise<boolean> {
    let changed = false;
    const wanted = new Set(mqSet.map(messageQueueKey));
    // release what is no longer ours first, concurrently: each waits for its own in-flight work
    const releases: Promise<void>[] = [];
    for (const [key, { mq, pq }] of this.processQueueTable) {
      if (mq.topic !== topic) continue;
      // a push consumer's pull loop silent for 2 minutes is stuck: start the queue afresh. A lite pull
      // consumer's loop is paused by the application not polling, which is not a fault
      // (RebalanceImpl checks expiry only for CONSUME_PASSIVELY)
      // a queue whose release failed last time (its listener call was still running) is tried again,
      // and if it is ours again after all, started afresh below
      if (
        !wanted.has(key) ||
        pq.releaseFailed ||
        (this.consumeType === 'CONSUME_PASSIVELY' && pq.isPullExpired())
      ) {
        pq.dropped = true;
        releases.push(
          this.hooks.removeUnnecessaryMessageQueue(mq, pq).then((removed) => {
            if (removed) {
              this.processQueueTable.delete(key);
              changed = true;
            } else {
              pq.releaseFailed = true;
            }
          }),
        );
      }
    }
    await Promise.all(releases);
    const requests: PullRequest[] = [];
    let lockFailed = false;
    for (const mq of mqSet) {
      const key = messageQueueKey(mq);
      if (this.processQueueTable.has(key)) continue;
      if (this.consumeOrderly && !(await this.lock(mq))) {
        log.debug({ mq, group: this.group }, 'add a new mq failed, because lock failed');
        lockFailed = true;
        continue;
      }
      this.hooks.removeDirtyOffset(mq);
      const nextOffset = await this.hooks.computePullFromWhere(mq);
      if (nextOffset < 0) {
        log.warn({ mq, group: this.group }, 'cannot compute where to start pulling; will retry');
        // not taken after all: give the lock back rather than hold it unused until it expires
        if (this.consumeOrderly) await this.unlock(mq, true);
        continue;
      }
      if (this.processQueueTable.has(key)) continue;
      const pq = new ProcessQueue();
      pq.locked = true;
      this.processQueueTable.set(key, { mq, pq });
      requests.push({ consumerGroup: this.group, messageQueue: mq, processQueue: pq, nextOffset });
      changed = true;
    }
    this.hooks.dispatchPullRequest(requests);
    if (lockFailed) this.hooks.lockFailed?.();
    return changed;
  }

  /** Drops queues of topics no longer subscribed. */
  private async truncateMessageQueueNotMyTopic(): Promise<void> {
    const releases: Promise<void>[] = [];
    for (const [key, { mq, pq }] of this.processQueueTable) {
      if (this.subscriptionInner.has(mq.topic)) continue;
      pq.dropped = true;
      releases.push(
        this.hooks.removeUnnecessaryMessageQueue(mq, pq).then((removed) => {
          if (removed) this.processQueueTable.delete(key);
        }),
      );
    }
    await Promise.all(releases);
  }

  /** Removes one queue at once (after OFFSET_ILLEGAL), so the next rebalance starts it afresh. */
  async removeProcessQueue(mq: MessageQueue): Promise<void> {
    const key = messageQueueKey(mq);
    const entry = this.processQueueTable.get(key);
    if (!entry) return;
    entry.pq.dropped = true;
    if (await this.hooks.removeUnnecessaryMessageQueue(mq, entry.pq)) this.processQueueTable.delete(key);
  }

  /** Marks every queue dropped (shutdown); returns them. */
  dropAll(): { mq: MessageQueue; pq: ProcessQueue }[] {
    const all = [...this.processQueueTable.values()];
    for (const { pq } of all) pq.dropped = true;
    return all;
  }

  /** Where to start reading `mq` (computePullFromWhereWithException); < 0 when unknown now. */
  computePullFromWhere(mq: MessageQueue): Promise<number> {
    return this.hooks.computePullFromWhere(mq);
  }

  // ---- broker locks for orderly consumption (RebalanceImpl.lock / lockAll / unlock / unlockAll) ----

  private lockBody(mqs: MessageQueue[]) {
    return { consumerGroup: this.group, clientId: this.instance.clientId, mqSet: mqs };
  }

  private masterOf(brokerName: string): string | undefined {
    return this.instance.findBrokerAddressInSubscribe(brokerName, 0, true)?.brokerAddr;
  }

  /** LOCK_BATCH_MQ for one queue; marks every granted queue locked. */
  async lock(mq: MessageQueue): Promise<boolean> {
    const addr = this.masterOf(mq.brokerName);
    if (!addr) return false;
    try {
      const granted = await this.instance.api.lockBatchMQ(addr, this.lockBody([mq]), 1000);
      const now = Date.now();
      let ok = false;
      for (const g of granted) {
        const key = messageQueueKey(g);
        if (key === messageQueueKey(mq)) ok = true;
        const e = this.processQueueTable.get(key);
        if (e) {
          e.pq.locked = true;
          e.pq.lastLockTimestamp = now;
        }
      }
      return ok;
    } catch (err) {
      log.debug({ err, mq }, 'lockBatchMQ failed');
      return false;
    }
  }

  /** Renews the locks of every owned queue, per broker; a queue the broker refused is marked unlocked. */
  async lockAll(): Promise<void> {
    await Promise.all(
      [...this.queuesByBroker()].map(async ([brokerName, mqs]) => {
        const addr = this.masterOf(brokerName);
        if (!addr) return;
        try {
          const granted = new Set(
            (await this.instance.api.lockBatchMQ(addr, this.lockBody(mqs), 1000)).map(messageQueueKey),
          );
          const now = Date.now();
          for (const mq of mqs) {
            const e = this.processQueueTable.get(messageQueueKey(mq));
            if (!e) continue;
            if (granted.has(messageQueueKey(mq))) {
              e.pq.locked = true;
              e.pq.lastLockTimestamp = now;
            } else {
              if (e.pq.locked) log.warn({ mq, group: this.group }, 'the message queue locked failed');
              e.pq.locked = false;
            }
          }
        } catch (err) {
          log.debug({ err, brokerName }, 'lockBatchMQ failed');
        }
      }),
    );
  }

  /** UNLOCK_BATCH_MQ for one queue. */
  async unlock(mq: MessageQueue, oneway: boolean): Promise<void> {
    const addr = this.masterOf(mq.brokerName);
    if (!addr) return;
    try {
      await this.instance.api.unlockBatchMQ(addr, this.lockBody([mq]), 1000, oneway);
    } catch (err) {
      log.debug({ err, mq }, 'unlockBatchMQ failed');
    }
  }

  /** UNLOCK_BATCH_MQ for every owned queue (shutdown). */
  async unlockAll(oneway: boolean): Promise<void> {
    await Promise.all(
      [...this.queuesByBroker()].map(async ([brokerName, mqs]) => {
        const addr = this.masterOf(brokerName);
        if (!addr) return;
        try {
          await this.instance.api.unlockBatchMQ(addr, this.lockBody(mqs), 1000, oneway);
          for (const mq of mqs) {
            const e = this.processQueueTable.get(messageQueueKey(mq));
            if (e) e.pq.locked = false;
          }
        } catch (err) {
          log.debug({ err, brokerName }, 'unlockBatchMQ failed');
        }
      }),
    );
  }

  private queuesByBroker(): Map<string, MessageQueue[]> {
    const out = new Map<string, MessageQueue[]>();
    for (const { mq } of this.processQueueTable.values()) {
      const list = out.get(mq.brokerName);
      if (list) list.push(mq);
      else out.set(mq.brokerName, [mq]);
    }
    return out;
  }

  assignedQueues(): MessageQueue[] {
    return [...this.processQueueTable.values()].map((e) => e.mq);
  }
}
