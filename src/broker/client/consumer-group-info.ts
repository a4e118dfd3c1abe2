import type { SubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import { CHANNEL_EXPIRED_TIMEOUT_MS, type ClientChannelInfo } from './client-channel-info.js';

/** ConsumerGroupInfo: the live members of one consumer group and the group's subscriptions. */
export class ConsumerGroupInfo {
  readonly subscriptionTable = new Map<string, SubscriptionData>();
  readonly channelInfoTable = new Map<RemotingChannel, ClientChannelInfo>();
  lastUpdateTimestamp = Date.now();

  constructor(
    readonly groupName: string,
    public consumeType: string,
    public messageModel: string,
    public consumeFromWhere: string,
  ) {}

  findChannel(clientId: string): ClientChannelInfo | undefined {
    for (const info of this.channelInfoTable.values()) if (info.clientId === clientId) return info;
    return undefined;
  }

  getAllChannels(): RemotingChannel[] {
    return [...this.channelInfoTable.keys()];
  }

  getAllClientIds(): string[] {
    return [...this.channelInfoTable.values()].map((c) => c.clientId);
  }

  /** true when the channel is new to the group (membership changed). */
  updateChannel(
    info: ClientChannelInfo,
    consumeType: string,
    messageModel: string,
    consumeFromWhere: string,
  ): boolean {
    this.consumeType = consumeType;
    this.messageModel = messageModel;
    this.consumeFromWhere = consumeFromWhere;
    const old = this.channelInfoTable.get(info.channel);
    let updated = false;
    if (!old) {
      this.channelInfoTable.set(info.channel, info);
      updated = true;
    } else if (old.clientId !== info.clientId) {
      // as RocketMQ: the channel keeps its first client id (logged there as an error); refresh it
      this.channelInfoTable.set(info.channel, info);
    } else {
      old.lastUpdateTimestamp = info.lastUpdateTimestamp;
    }
    this.lastUpdateTimestamp = Date.now();
    return updated;
  }

  /**
   * updateSubscription: new topics and newer subVersions replace old ones, topics no longer listed are
   * dropped. true when the topic set changed.
   */
  updateSubscription(subList: SubscriptionData[]): boolean {
    let updated = false;
    const topics = new Set<string>();
    for (const sub of subList) {
      topics.add(sub.topic);
      const old = this.subscriptionTable.get(sub.topic);
      if (!old) {
        this.subscriptionTable.set(sub.topic, sub);
        updated = true;
      } else if (sub.subVersion > old.subVersion) {
        this.subscriptionTable.set(sub.topic, sub);
      }
    }
    for (const topic of [...this.subscriptionTable.keys()]) {
      if (!topics.has(topic)) {
        this.subscriptionTable.delete(topic);
        updated = true;
      }
    }
    this.lastUpdateTimestamp = Date.now();
    return updated;
  }

  unregisterChannel(channel: RemotingChannel): boolean {
    return this.channelInfoTable.delete(channel);
  }

  /** Drops channels silent for 120 s; returns them so the caller can close them. */
  expireChannels(now: number): ClientChannelInfo[] {
    const expired: ClientChannelInfo[] = [];
    for (const [ch, info] of this.channelInfoTable) {
      if (now - info.lastUpdateTimestamp > CHANNEL_EXPIRED_TIMEOUT_MS) {
        this.channelInfoTable.delete(ch);
        expired.push(info);
      }
    }
    return expired;
  }
}
