import { requireString } from '../../custom-header.js';

/** Reply to GET_BROKER_CONFIG: the config version (DataVersion JSON) (RocketMQ's GetBrokerConfigResponseHeader). */
export interface GetBrokerConfigResponseHeader {
  version: string;
}

export function encodeGetBrokerConfigResponseHeader(
  h: GetBrokerConfigResponseHeader,
): Record<string, string> {
  const out: Record<string, string> = {};
  out.version = h.version;
  return out;
}

export function decodeGetBrokerConfigResponseHeader(
  ext: Record<string, string>,
): GetBrokerConfigResponseHeader {
  const h: GetBrokerConfigResponseHeader = {
    version: requireString(ext, 'version'),
  };
  return h;
}
