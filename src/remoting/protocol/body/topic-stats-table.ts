import { asObject, num } from './json-fields.js';
import {
  decodeMessageQueueMap,
  encodeMessageQueueMap,
  type MessageQueue,
  parseBody,
} from './message-queue.js';

/** TopicOffset: a queue's min and max offsets and the store time of its last message. */
export interface TopicOffset {
  minOffset: number;
  maxOffset: number;
  lastUpdateTimestamp: number;
}

/** GET_TOPIC_STATS_INFO reply body (TopicStatsTable). */
export interface TopicStatsTable {
  offsetTable: Array<[MessageQueue, TopicOffset]>;
}

export function encodeTopicStatsTable(t: TopicStatsTable): Buffer {
  const table = encodeMessageQueueMap(
    t.offsetTable,
    (o) =>
      `{"lastUpdateTimestamp":${o.lastUpdateTimestamp},"maxOffset":${o.maxOffset},"minOffset":${o.minOffset}}`,
  );
  return Buffer.from(`{"offsetTable":${table}}`);
}

export function decodeTopicStatsTable(body: Buffer): TopicStatsTable {
  return {
    offsetTable: decodeMessageQueueMap(parseBody(body), 'offsetTable', (v) => {
      const o = asObject(v, 'topicOffset');
      return {
        minOffset: num(o, 'minOffset', 0),
        maxOffset: num(o, 'maxOffset', 0),
        lastUpdateTimestamp: num(o, 'lastUpdateTimestamp', 0),
      };
    }),
  };
}
