import { componentLogger } from '../../common/logger.js';
import type { SubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import type { ClientChannelInfo } from './client-channel-info.js';
import { ConsumerGroupInfo } from './consumer-group-info.js';

const log = componentLogger('consumer-manager');

export type ConsumerGroupEvent = 'CHANGE' | 'UNREGISTER' | 'REGISTER';

/** ConsumerIdsChangeListener: the controller sends NOTIFY_CONSUMER_IDS_CHANGED on CHANGE. */
export type ConsumerIdsChangeListener = (
  event: ConsumerGroupEvent,
  group: string,
  channels: RemotingChannel[],
) => void;

/** ConsumerManager: consumer groups, their members (by channel) and their subscriptions. */
export class ConsumerManager {
  readonly consumerTable = new Map<string, ConsumerGroupInfo>();

  constructor(private readonly listener: ConsumerIdsChangeListener) {}

  getConsumerGroupInfo(group: string): ConsumerGroupInfo | undefined {
    return this.consumerTable.get(group);
  }

  findSubscriptionData(group: string, topic: string): SubscriptionData | undefined {
    return this.consumerTable.get(group)?.subscriptionTable.get(topic);
  }

  findChannel(group: string, clientId: string): ClientChannelInfo | undefined {
    return this.consumerTable.get(group)?.findChannel(clientId);
  }

  /** true when membership or the subscribed topics changed. */
  registerConsumer(
    group: string,
    info: ClientChannelInfo,
    consumeType: string,
    messageModel: string,
    consumeFromWhere: string,
    subList: SubscriptionData[],
    notifyConsumerIdsChanged: boolean,
  ): boolean {
    let groupInfo = this.consumerTable.get(group);
    if (!groupInfo) {
      groupInfo = new ConsumerGroupInfo(group, consumeType, messageModel, consumeFromWhere);
      this.consumerTable.set(group, groupInfo);
    }
    const r1 = groupInfo.updateChannel(info, consumeType, messageModel, consumeFromWhere);
    const r2 = groupInfo.updateSubscription(subList);
    if ((r1 || r2) && notifyConsumerIdsChanged) this.listener('CHANGE', group, groupInfo.getAllChannels());
    return r1 || r2;
  }

  unregisterConsumer(group: string, channel: RemotingChannel, notifyConsumerIdsChanged: boolean): void {
    const groupInfo = this.consumerTable.get(group);
    if (!groupInfo) return;
    const removed = groupInfo.unregisterChannel(channel);
    if (removed && groupInfo.channelInfoTable.size === 0) {
      this.consumerTable.delete(group);
      log.info({ group }, 'unregister consumer ok, no any connection, and remove consumer group');
      this.listener('UNREGISTER', group, []);
    }
    if (removed && notifyConsumerIdsChanged) this.listener('CHANGE', group, groupInfo.getAllChannels());
  }

  /** doChannelCloseEvent: a closed connection leaves every group it was in. */
  doChannelCloseEvent(channel: RemotingChannel, isNotifyEnabled: (group: string) => boolean): void {
    for (const [group, info] of [...this.consumerTable]) {
      if (!info.unregisterChannel(channel)) continue;
      if (info.channelInfoTable.size === 0) {
        this.consumerTable.delete(group);
        this.listener('UNREGISTER', group, []);
      }
      if (isNotifyEnabled(group)) this.listener('CHANGE', group, info.getAllChannels());
    }
  }

  /** scanNotActiveChannel: members without a heartbeat for 120 s are dropped and their channels closed. */
  scanNotActiveChannel(now = Date.now()): void {
    for (const [group, info] of [...this.consumerTable]) {
      for (const expired of info.expireChannels(now)) {
        log.warn(
          { group, clientId: expired.clientId, remote: expired.channel.remoteAddress },
          'channel expired',
        );
        expired.channel.close();
      }
      if (info.channelInfoTable.size === 0) {
        log.warn({ group }, 'the consumer group has no channel, remove it');
        this.consumerTable.delete(group);
      }
    }
  }

  /** Groups subscribed to the topic (queryTopicConsumeByWho). */
  queryTopicConsumeByWho(topic: string): Set<string> {
    const out = new Set<string>();
    for (const [group, info] of this.consumerTable) if (info.subscriptionTable.has(topic)) out.add(group);
    return out;
  }
}
