import { createMessageQueue, type MessageQueue } from '../message-queue.js';
import { LatencyFaultTolerance } from './latency-fault-tolerance.js';
import type { TopicPublishInfo } from './topic-publish-info.js';

// MQFaultStrategy's tables: a send that took >= latencyMax[i] ms makes the broker unavailable for
// notAvailableDuration[i] ms; a failed send counts as 30 s.
const LATENCY_MAX = [50, 100, 550, 1000, 2000, 3000, 15000];
const NOT_AVAILABLE_DURATION = [0, 0, 30000, 60000, 120000, 180000, 600000];

/**
 * Picks the queue for a send (client/.../latency/MQFaultStrategy.java). With latency fault tolerance
 * on, brokers that recently failed or were slow are skipped while another is available; RocketMQ
 * turns this off by default, CometMQ turns it on (issue 5 asks producers to avoid such brokers). Unlike
 * RocketMQ we also prefer a broker other than the one that just failed among the available ones.
 */
export class MQFaultStrategy {
  readonly latencyFaultTolerance: LatencyFaultTolerance;

  constructor(
    public sendLatencyFaultEnable = true,
    now: () => number = Date.now,
  ) {
    this.latencyFaultTolerance = new LatencyFaultTolerance(now);
  }

  selectOneMessageQueue(info: TopicPublishInfo, lastBrokerName?: string): MessageQueue {
    if (!this.sendLatencyFaultEnable) return info.selectOneMessageQueue(lastBrokerName);
    const list = info.messageQueueList;
    const n = list.length;
    let index = info.nextIndex();
    let availableFallback: MessageQueue | undefined;
    for (let i = 0; i < n; i++) {
      const mq = list[index++ % n]!;
      if (!this.latencyFaultTolerance.isAvailable(mq.brokerName)) continue;
      if (lastBrokerName === undefined || mq.brokerName !== lastBrokerName) return mq;
      availableFallback ??= mq;
    }
    if (availableFallback) return availableFallback;
    const notBestBroker = this.latencyFaultTolerance.pickOneAtLeast();
    if (notBestBroker !== undefined) {
      const writeQueueNums = info.writeQueueNumsOf(notBestBroker);
      if (writeQueueNums > 0) {
        const mq = info.selectOneMessageQueue();
        return createMessageQueue(mq.topic, notBestBroker, info.nextIndex() % writeQueueNums);
      }
      this.latencyFaultTolerance.remove(notBestBroker);
    }
    return info.selectOneMessageQueue(lastBrokerName);
  }

  /** After each send attempt: `isolation` marks a failure (treated as 30 s of latency). */
  updateFaultItem(brokerName: string, currentLatency: number, isolation: boolean): void {
    if (!this.sendLatencyFaultEnable) return;
    const duration = computeNotAvailableDuration(isolation ? 30000 : currentLatency);
    this.latencyFaultTolerance.updateFaultItem(brokerName, currentLatency, duration);
  }
}

export function computeNotAvailableDuration(currentLatency: number): number {
  for (let i = LATENCY_MAX.length - 1; i >= 0; i--) {
    if (currentLatency >= LATENCY_MAX[i]!) return NOT_AVAILABLE_DURATION[i]!;
  }
  return 0;
}
