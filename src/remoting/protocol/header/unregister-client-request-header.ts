import { optionalString, requireString } from '../../custom-header.js';

/** UNREGISTER_CLIENT (35) request (RocketMQ's UnregisterClientRequestHeader). */
export interface UnregisterClientRequestHeader {
  clientID: string;
  producerGroup?: string;
  consumerGroup?: string;
}

export function encodeUnregisterClientRequestHeader(
  h: UnregisterClientRequestHeader,
): Record<string, string> {
  const out: Record<string, string> = {};
  out.clientID = h.clientID;
  if (h.producerGroup !== undefined) out.producerGroup = String(h.producerGroup);
  if (h.consumerGroup !== undefined) out.consumerGroup = String(h.consumerGroup);
  return out;
}

export function decodeUnregisterClientRequestHeader(
  ext: Record<string, string>,
): UnregisterClientRequestHeader {
  const h: UnregisterClientRequestHeader = {
    clientID: requireString(ext, 'clientID'),
  };
  const producerGroupV = optionalString(ext, 'producerGroup');
  if (producerGroupV !== undefined) h.producerGroup = producerGroupV;
  const consumerGroupV = optionalString(ext, 'consumerGroup');
  if (consumerGroupV !== undefined) h.consumerGroup = consumerGroupV;
  return h;
}
