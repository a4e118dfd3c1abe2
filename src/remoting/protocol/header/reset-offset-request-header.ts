import { requireBool, requireLong, requireString } from '../../custom-header.js';

/** INVOKE_BROKER_TO_RESET_OFFSET (222) and RESET_CONSUMER_CLIENT_OFFSET (220) request (field isForce spelled as Java names it) (RocketMQ's ResetOffsetRequestHeader). */
export interface ResetOffsetRequestHeader {
  topic: string;
  group: string;
  timestamp: number;
  isForce: boolean;
}

export function encodeResetOffsetRequestHeader(h: ResetOffsetRequestHeader): Record<string, string> {
  const out: Record<string, string> = {};
  out.topic = h.topic;
  out.group = h.group;
  out.timestamp = String(h.timestamp);
  out.isForce = String(h.isForce);
  return out;
}

export function decodeResetOffsetRequestHeader(ext: Record<string, string>): ResetOffsetRequestHeader {
  const h: ResetOffsetRequestHeader = {
    topic: requireString(ext, 'topic'),
    group: requireString(ext, 'group'),
    timestamp: requireLong(ext, 'timestamp'),
    isForce: requireBool(ext, 'isForce'),
  };
  return h;
}
