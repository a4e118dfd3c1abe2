import { requireString } from '../../custom-header.js';

/** NOTIFY_CONSUMER_IDS_CHANGED (40), oneway from broker to consumer (RocketMQ's NotifyConsumerIdsChangedRequestHeader). */
export interface NotifyConsumerIdsChangedRequestHeader {
  consumerGroup: string;
}

export function encodeNotifyConsumerIdsChangedRequestHeader(
  h: NotifyConsumerIdsChangedRequestHeader,
): Record<string, string> {
  const out: Record<string, string> = {};
  out.consumerGroup = h.consumerGroup;
  return out;
}

export function decodeNotifyConsumerIdsChangedRequestHeader(
  ext: Record<string, string>,
): NotifyConsumerIdsChangedRequestHeader {
  const h: NotifyConsumerIdsChangedRequestHeader = {
    consumerGroup: requireString(ext, 'consumerGroup'),
  };
  return h;
}
