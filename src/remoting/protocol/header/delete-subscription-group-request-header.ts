import { optionalBool, requireString } from '../../custom-header.js';

/** DELETE_SUBSCRIPTIONGROUP (207) request (RocketMQ's DeleteSubscriptionGroupRequestHeader). */
export interface DeleteSubscriptionGroupRequestHeader {
  groupName: string;
  removeOffset?: boolean;
}

export function encodeDeleteSubscriptionGroupRequestHeader(
  h: DeleteSubscriptionGroupRequestHeader,
): Record<string, string> {
  const out: Record<string, string> = {};
  out.groupName = h.groupName;
  if (h.removeOffset !== undefined) out.removeOffset = String(h.removeOffset);
  return out;
}

export function decodeDeleteSubscriptionGroupRequestHeader(
  ext: Record<string, string>,
): DeleteSubscriptionGroupRequestHeader {
  const h: DeleteSubscriptionGroupRequestHeader = {
    groupName: requireString(ext, 'groupName'),
  };
  const removeOffsetV = optionalBool(ext, 'removeOffset');
  if (removeOffsetV !== undefined) h.removeOffset = removeOffsetV;
  return h;
}
