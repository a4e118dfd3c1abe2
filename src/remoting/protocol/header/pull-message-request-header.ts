import { optionalString, requireInt, requireLong, requireString } from '../../custom-header.js';

/** PULL_MESSAGE (11) custom header (PullMessageRequestHeader). sysFlag holds PullSysFlag bits. */
export interface PullMessageRequestHeader {
  consumerGroup: string;
  topic: string;
  queueId: number;
  queueOffset: number;
  maxMsgNums: number;
  sysFlag: number;
  commitOffset: number;
  suspendTimeoutMillis: number;
  subscription?: string;
  subVersion: number;
  /** TAG (default) or SQL92. */
  expressionType?: string;
}

export function encodePullMessageRequestHeader(h: PullMessageRequestHeader): Record<string, string> {
  const out: Record<string, string> = {
    consumerGroup: h.consumerGroup,
    topic: h.topic,
    queueId: String(h.queueId),
    queueOffset: String(h.queueOffset),
    maxMsgNums: String(h.maxMsgNums),
    sysFlag: String(h.sysFlag),
    commitOffset: String(h.commitOffset),
    suspendTimeoutMillis: String(h.suspendTimeoutMillis),
    subVersion: String(h.subVersion),
  };
  if (h.subscription !== undefined) out.subscription = h.subscription;
  if (h.expressionType !== undefined) out.expressionType = h.expressionType;
  return out;
}

export function decodePullMessageRequestHeader(ext: Record<string, string>): PullMessageRequestHeader {
  const h: PullMessageRequestHeader = {
    consumerGroup: requireString(ext, 'consumerGroup'),
    topic: requireString(ext, 'topic'),
    queueId: requireInt(ext, 'queueId'),
    queueOffset: requireLong(ext, 'queueOffset'),
    maxMsgNums: requireInt(ext, 'maxMsgNums'),
    sysFlag: requireInt(ext, 'sysFlag'),
    commitOffset: requireLong(ext, 'commitOffset'),
    suspendTimeoutMillis: requireLong(ext, 'suspendTimeoutMillis'),
    subVersion: requireLong(ext, 'subVersion'),
  };
  const sub = optionalString(ext, 'subscription');
  if (sub !== undefined) h.subscription = sub;
  const et = optionalString(ext, 'expressionType');
  if (et !== undefined) h.expressionType = et;
  return h;
}
