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
      if (!wanted.has(key) || (this.consumeType === 'CONSUME_PASSIVELY' && pq.isPullExpired())) {
        pq.dropped = true;
        releases.push(
          this.hooks.removeUnnecessaryMessageQueue(mq, pq).then((removed) => {
            if (removed) {
              this.processQueueTable.delete(key);
              changed = true;
            }
          }),
        );
      }
    }
    await Promise.all(releases);
    const requests: PullRequest[] = [];
    for (const mq of mqSet) {
      const key = messageQueueKey(mq);
      if (this.processQueueTable.has(key)) continue;
      this.hooks.removeDirtyOffset(mq);
      const nextOffset = await this.hooks.computePullFromWhere(mq);
      if (nextOffset < 0) {
        log.warn({ mq, group: this.group }, 'cannot compute where to start pulling; will retry');
        continue;
      }
      if (this.processQueueTable.has(key)) continue;
      const pq = new ProcessQueue();
      this.processQueueTable.set(key, { mq, pq });
      requests.push({ consumerGroup: this.group, messageQueue: mq, processQueue: pq, nextOffset });
      changed = true;
    }
    this.hooks.dispatchPullRequest(requests);
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

  assignedQueues(): MessageQueue[] {
    return [...this.processQueueTable.values()].map((e) => e.mq);
  }
}
