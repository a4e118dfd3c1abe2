import { optionalString, requireString } from '../../custom-header.js';

/** GET_CONSUMER_STATUS_FROM_CLIENT (221) request (RocketMQ's GetConsumerStatusRequestHeader). */
export interface GetConsumerStatusRequestHeader {
  topic: string;
  group: string;
  clientAddr?: string;
}

export function encodeGetConsumerStatusRequestHeader(
  h: GetConsumerStatusRequestHeader,
): Record<string, string> {
  const out: Record<string, string> = {};
  out.topic = h.topic;
  out.group = h.group;
  if (h.clientAddr !== undefined) out.clientAddr = String(h.clientAddr);
  return out;
}

export function decodeGetConsumerStatusRequestHeader(
  ext: Record<string, string>,
): GetConsumerStatusRequestHeader {
  const h: GetConsumerStatusRequestHeader = {
    topic: requireString(ext, 'topic'),
    group: requireString(ext, 'group'),
  };
  const clientAddrV = optionalString(ext, 'clientAddr');
  if (clientAddrV !== undefined) h.clientAddr = clientAddrV;
  return h;
}
