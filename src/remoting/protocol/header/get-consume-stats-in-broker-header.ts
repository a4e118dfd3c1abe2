import { optionalBool } from '../../custom-header.js';

/** GET_BROKER_CONSUME_STATS (317) request (RocketMQ's GetConsumeStatsInBrokerHeader; Java field isOrder). */
export interface GetConsumeStatsInBrokerHeader {
  isOrder: boolean;
}

export function encodeGetConsumeStatsInBrokerHeader(
  h: GetConsumeStatsInBrokerHeader,
): Record<string, string> {
  return { isOrder: String(h.isOrder) };
}

export function decodeGetConsumeStatsInBrokerHeader(
  ext: Record<string, string>,
): GetConsumeStatsInBrokerHeader {
  return { isOrder: optionalBool(ext, 'isOrder', false) };
}
