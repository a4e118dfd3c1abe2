import { optionalInt, requireBool, requireInt, requireString } from '../../custom-header.js';

/** UPDATE_AND_CREATE_TOPIC (17) request; topicFilterType is SINGLE_TAG or MULTI_TAG (RocketMQ's CreateTopicRequestHeader). */
export interface CreateTopicRequestHeader {
  topic: string;
  defaultTopic: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicFilterType: string;
  topicSysFlag?: number;
  order: boolean;
}

export function encodeCreateTopicRequestHeader(h: CreateTopicRequestHeader): Record<string, string> {
  const out: Record<string, string> = {};
  out.topic = h.topic;
  out.defaultTopic = h.defaultTopic;
  out.readQueueNums = String(h.readQueueNums);
  out.writeQueueNums = String(h.writeQueueNums);
  out.perm = String(h.perm);
  out.topicFilterType = h.topicFilterType;
  if (h.topicSysFlag !== undefined) out.topicSysFlag = String(h.topicSysFlag);
  out.order = String(h.order);
  return out;
}

export function decodeCreateTopicRequestHeader(ext: Record<string, string>): CreateTopicRequestHeader {
  const h: CreateTopicRequestHeader = {
    topic: requireString(ext, 'topic'),
    defaultTopic: requireString(ext, 'defaultTopic'),
    readQueueNums: requireInt(ext, 'readQueueNums'),
    writeQueueNums: requireInt(ext, 'writeQueueNums'),
    perm: requireInt(ext, 'perm'),
    topicFilterType: requireString(ext, 'topicFilterType'),
    order: requireBool(ext, 'order'),
  };
  const topicSysFlagV = optionalInt(ext, 'topicSysFlag');
  if (topicSysFlagV !== undefined) h.topicSysFlag = topicSysFlagV;
  return h;
}
