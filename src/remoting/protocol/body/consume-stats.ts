import { javaDouble } from '../../../common/java-double.js';
import { asObject, num } from './json-fields.js';
import {
  decodeMessageQueueMap,
  encodeMessageQueueMap,
  type MessageQueue,
  parseBody,
} from './message-queue.js';

/** OffsetWrapper: one queue's broker (max) offset, the group's committed offset, last store time. */
export interface OffsetWrapper {
  brokerOffset: number;
  consumerOffset: number;
  lastTimestamp: number;
}

/** GET_CONSUME_STATS reply body (ConsumeStats). */
export interface ConsumeStats {
  offsetTable: Array<[MessageQueue, OffsetWrapper]>;
  consumeTps: number;
}

export function encodeConsumeStats(s: ConsumeStats): Buffer {
  const table = encodeMessageQueueMap(
    s.offsetTable,
    (w) =>
      `{"brokerOffset":${w.brokerOffset},"consumerOffset":${w.consumerOffset},"lastTimestamp":${w.lastTimestamp}}`,
  );
  return Buffer.from(`{"consumeTps":${javaDouble(s.consumeTps)},"offsetTable":${table}}`);
}

export function decodeConsumeStats(body: Buffer): ConsumeStats {
  const parsed = parseBody(body);
  return {
    consumeTps: num(parsed, 'consumeTps', 0),
    offsetTable: decodeMessageQueueMap(parsed, 'offsetTable', (v) => {
      const o = asObject(v, 'offsetWrapper');
      return {
        brokerOffset: num(o, 'brokerOffset', 0),
        consumerOffset: num(o, 'consumerOffset', 0),
        lastTimestamp: num(o, 'lastTimestamp', 0),
      };
    }),
  };
}
