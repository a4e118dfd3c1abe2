import { requireString } from '../../custom-header.js';

/**
 * GET_ROUTEINFO_BY_TOPIC (105) request (RocketMQ's GetRouteInfoRequestHeader). 4.9.x clients may add
 * acceptStandardJsonOnly; the NameServer then answers standard JSON instead of fastjson's.
 */
export interface GetRouteInfoRequestHeader {
  topic: string;
  acceptStandardJsonOnly?: boolean;
}

export function encodeGetRouteInfoRequestHeader(h: GetRouteInfoRequestHeader): Record<string, string> {
  const out: Record<string, string> = { topic: h.topic };
  if (h.acceptStandardJsonOnly !== undefined) out.acceptStandardJsonOnly = String(h.acceptStandardJsonOnly);
  return out;
}

export function decodeGetRouteInfoRequestHeader(ext: Record<string, string>): GetRouteInfoRequestHeader {
  const h: GetRouteInfoRequestHeader = { topic: requireString(ext, 'topic') };
  if (ext.acceptStandardJsonOnly !== undefined)
    h.acceptStandardJsonOnly = ext.acceptStandardJsonOnly.toLowerCase() === 'true';
  return h;
}
