import { requireString } from '../../custom-header.js';

/** GET_CONSUMER_CONNECTION_LIST (203) request (RocketMQ's GetConsumerConnectionListRequestHeader). */
export interface GetConsumerConnectionListRequestHeader {
  consumerGroup: string;
}

export function encodeGetConsumerConnectionListRequestHeader(
  h: GetConsumerConnectionListRequestHeader,
): Record<string, string> {
  const out: Record<string, string> = {};
  out.consumerGroup = h.consumerGroup;
  return out;
}

export function decodeGetConsumerConnectionListRequestHeader(
  ext: Record<string, string>,
): GetConsumerConnectionListRequestHeader {
  const h: GetConsumerConnectionListRequestHeader = {
    consumerGroup: requireString(ext, 'consumerGroup'),
  };
  return h;
}
