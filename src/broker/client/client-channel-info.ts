import type { RemotingChannel } from '../../remoting/remoting-channel.js';

/** ClientChannelInfo: one client connection as a producer or consumer group member. */
export interface ClientChannelInfo {
  channel: RemotingChannel;
  clientId: string;
  /** LanguageCode name from the request header, e.g. JAVA */
  language: string;
  version: number;
  lastUpdateTimestamp: number;
}

/** Expiry without a heartbeat (ConsumerManager/ProducerManager CHANNEL_EXPIRED_TIMEOUT). */
export const CHANNEL_EXPIRED_TIMEOUT_MS = 120_000;
