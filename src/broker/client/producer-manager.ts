import { componentLogger } from '../../common/logger.js';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import { CHANNEL_EXPIRED_TIMEOUT_MS, type ClientChannelInfo } from './client-channel-info.js';

const log = componentLogger('producer-manager');

/** ProducerManager: producer groups and their live connections. */
export class ProducerManager {
  readonly groupChannelTable = new Map<string, Map<RemotingChannel, ClientChannelInfo>>();

  registerProducer(group: string, info: ClientChannelInfo): void {
    let channels = this.groupChannelTable.get(group);
    if (!channels) {
      channels = new Map();
      this.groupChannelTable.set(group, channels);
    }
    const old = channels.get(info.channel);
    if (old) old.lastUpdateTimestamp = info.lastUpdateTimestamp;
    else {
      channels.set(info.channel, info);
      log.info({ group, clientId: info.clientId }, 'new producer connected');
    }
  }

  unregisterProducer(group: string, channel: RemotingChannel): void {
    const channels = this.groupChannelTable.get(group);
    if (!channels) return;
    channels.delete(channel);
    if (channels.size === 0) this.groupChannelTable.delete(group);
  }

  doChannelCloseEvent(channel: RemotingChannel): void {
    for (const [group, channels] of [...this.groupChannelTable]) {
      if (channels.delete(channel) && channels.size === 0) this.groupChannelTable.delete(group);
    }
  }

  scanNotActiveChannel(now = Date.now()): void {
    for (const [group, channels] of [...this.groupChannelTable]) {
      for (const [ch, info] of [...channels]) {
        if (now - info.lastUpdateTimestamp > CHANNEL_EXPIRED_TIMEOUT_MS) {
          channels.delete(ch);
          log.warn({ group, clientId: info.clientId, remote: ch.remoteAddress }, 'producer channel expired');
          ch.close();
        }
      }
      if (channels.size === 0) this.groupChannelTable.delete(group);
    }
  }

  /** Any live channel of the group (for transaction checks later). */
  getAvailableChannel(group: string): RemotingChannel | undefined {
    for (const ch of this.groupChannelTable.get(group)?.keys() ?? []) if (ch.isOpen) return ch;
    return undefined;
  }
}
