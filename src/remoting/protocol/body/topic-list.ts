import { toJson } from '../../../common/lenient-json.js';
import { arr, optStr } from './json-fields.js';
import { parseBody } from './message-queue.js';

/** TopicList body (GET_SYSTEM_TOPIC_LIST_FROM_BROKER and the NameServer's topic lists). */
export interface TopicList {
  topicList: string[];
  brokerAddr?: string;
}

export function encodeTopicList(t: TopicList): Buffer {
  return Buffer.from(toJson(t));
}

export function decodeTopicList(body: Buffer): TopicList {
  const o = parseBody(body);
  const t: TopicList = { topicList: arr(o, 'topicList').map(String) };
  const addr = optStr(o, 'brokerAddr');
  if (addr !== undefined) t.brokerAddr = addr;
  return t;
}
