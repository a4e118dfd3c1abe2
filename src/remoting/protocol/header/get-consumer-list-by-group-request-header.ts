import { requireString } from '../../custom-header.js';

/** GET_CONSUMER_LIST_BY_GROUP (38) request (RocketMQ's GetConsumerListByGroupRequestHeader). */
export interface GetConsumerListByGroupRequestHeader {
  consumerGroup: string;
}

export function encodeGetConsumerListByGroupRequestHeader(
  h: GetConsumerListByGroupRequestHeader,
): Record<string, string> {
  const out: Record<string, string> = {};
  out.consumerGroup = h.consumerGroup;
  return out;
}

export function decodeGetConsumerListByGroupRequestHeader(
  ext: Record<string, string>,
): GetConsumerListByGroupRequestHeader {
  const h: GetConsumerListByGroupRequestHeader = {
    consumerGroup: requireString(ext, 'consumerGroup'),
  };
  return h;
}
