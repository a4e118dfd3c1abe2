import { requireString } from '../../custom-header.js';

/** GET_PRODUCER_CONNECTION_LIST (204) request (RocketMQ's GetProducerConnectionListRequestHeader). */
export interface GetProducerConnectionListRequestHeader {
  producerGroup: string;
}

export function encodeGetProducerConnectionListRequestHeader(
  h: GetProducerConnectionListRequestHeader,
): Record<string, string> {
  const out: Record<string, string> = {};
  out.producerGroup = h.producerGroup;
  return out;
}

export function decodeGetProducerConnectionListRequestHeader(
  ext: Record<string, string>,
): GetProducerConnectionListRequestHeader {
  const h: GetProducerConnectionListRequestHeader = {
    producerGroup: requireString(ext, 'producerGroup'),
  };
  return h;
}
