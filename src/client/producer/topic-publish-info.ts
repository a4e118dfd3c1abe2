import type { TopicRouteData } from '../../remoting/protocol/route/topic-route-data.js';
import { createMessageQueue, type MessageQueue } from '../message-queue.js';

const PERM_READ = 4;
const PERM_WRITE = 2;
const MASTER_ID = 0;

export function isWriteable(perm: number): boolean {
  return (perm & PERM_WRITE) === PERM_WRITE;
}

export function isReadable(perm: number): boolean {
  return (perm & PERM_READ) === PERM_READ;
}

/**
 * A topic's writable queues as a producer sees them (client/.../impl/producer/TopicPublishInfo.java):
 * built from the route by MQClientInstance.topicRouteData2TopicPublishInfo, picked round robin.
 */
export class TopicPublishInfo {
  orderTopic = false;
  haveTopicRouterInfo = false;
  messageQueueList: MessageQueue[] = [];
  /** Round-robin position; starts at a random place as ThreadLocalIndex does. */
  sendWhichQueue = Math.floor(Math.random() * 0x7fffffff);
  topicRouteData: TopicRouteData | undefined;

  ok(): boolean {
    return this.messageQueueList.length > 0;
  }

  nextIndex(): number {
    this.sendWhichQueue = (this.sendWhichQueue + 1) & 0x7fffffff;
    return this.sendWhichQueue;
  }

  /** The next queue, on a broker other than `lastBrokerName` when there is one. */
  selectOneMessageQueue(lastBrokerName?: string): MessageQueue {
    const n = this.messageQueueList.length;
    if (lastBrokerName !== undefined) {
      for (let i = 0; i < n; i++) {
        const mq = this.messageQueueList[this.nextIndex() % n]!;
        if (mq.brokerName !== lastBrokerName) return mq;
      }
    }
    return this.messageQueueList[this.nextIndex() % n]!;
  }

  /** The write queue count of a broker, or -1 (getQueueIdByBroker). */
  writeQueueNumsOf(brokerName: string): number {
    for (const qd of this.topicRouteData?.queueDatas ?? []) {
      if (isWriteable(qd.perm) && qd.brokerName === brokerName) return qd.writeQueueNums;
    }
    return -1;
  }
}

/**
 * topicRouteData2TopicPublishInfo: an order topic's configured queues; otherwise the write queues of
 * every writable queue data whose broker group has a master, brokers sorted by name.
 */
export function topicRouteDataToPublishInfo(topic: string, route: TopicRouteData): TopicPublishInfo {
  const info = new TopicPublishInfo();
  info.topicRouteData = route;
  if (route.orderTopicConf) {
    for (const broker of route.orderTopicConf.split(';')) {
      const [brokerName, nums] = broker.split(':');
      const n = Number.parseInt(nums ?? '0', 10);
      for (let i = 0; i < n; i++) info.messageQueueList.push(createMessageQueue(topic, brokerName!, i));
    }
    info.orderTopic = true;
    return info;
  }
  const qds = [...route.queueDatas].sort((a, b) =>
    a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0,
  );
  for (const qd of qds) {
    if (!isWriteable(qd.perm)) continue;
    const bd = route.brokerDatas.find((b) => b.brokerName === qd.brokerName);
    if (!bd?.brokerAddrs.has(MASTER_ID)) continue;
    for (let i = 0; i < qd.writeQueueNums; i++)
      info.messageQueueList.push(createMessageQueue(topic, qd.brokerName, i));
  }
  return info;
}

/** topicRouteData2TopicSubscribeInfo: every read queue of every readable queue data. */
export function topicRouteDataToSubscribeInfo(topic: string, route: TopicRouteData): MessageQueue[] {
  const out: MessageQueue[] = [];
  for (const qd of route.queueDatas) {
    if (!isReadable(qd.perm)) continue;
    for (let i = 0; i < qd.readQueueNums; i++) out.push(createMessageQueue(topic, qd.brokerName, i));
  }
  return out;
}
