import { optionalBool, optionalString, requireString } from '../../custom-header.js';

/** CLONE_GROUP_OFFSET (314) request (RocketMQ's CloneGroupOffsetRequestHeader). */
export interface CloneGroupOffsetRequestHeader {
  srcGroup: string;
  destGroup: string;
  topic?: string;
  offline: boolean;
}

export function encodeCloneGroupOffsetRequestHeader(
  h: CloneGroupOffsetRequestHeader,
): Record<string, string> {
  const out: Record<string, string> = {
    srcGroup: h.srcGroup,
    destGroup: h.destGroup,
    offline: String(h.offline),
  };
  if (h.topic !== undefined) out.topic = h.topic;
  return out;
}

export function decodeCloneGroupOffsetRequestHeader(
  ext: Record<string, string>,
): CloneGroupOffsetRequestHeader {
  const h: CloneGroupOffsetRequestHeader = {
    srcGroup: requireString(ext, 'srcGroup'),
    destGroup: requireString(ext, 'destGroup'),
    offline: optionalBool(ext, 'offline', false),
  };
  const topic = optionalString(ext, 'topic');
  if (topic !== undefined) h.topic = topic;
  return h;
}
