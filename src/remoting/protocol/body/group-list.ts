import { toJson } from '../../../common/lenient-json.js';
import { arr } from './json-fields.js';
import { parseBody } from './message-queue.js';

/** QUERY_TOPIC_CONSUME_BY_WHO reply body (GroupList). */
export interface GroupList {
  groupList: string[];
}

export function encodeGroupList(g: GroupList): Buffer {
  return Buffer.from(toJson(g));
}

export function decodeGroupList(body: Buffer): GroupList {
  return { groupList: arr(parseBody(body), 'groupList').map(String) };
}
