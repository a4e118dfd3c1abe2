import { parseLenientJson } from '../../../common/lenient-json.js';
import { RemotingCommandError } from '../../custom-header.js';
import { asObject, type JsonObject, num, str } from './json-fields.js';

/** MessageQueue (common/message): a queue of a topic on one broker group. */
export interface MessageQueue {
  topic: string;
  brokerName: string;
  queueId: number;
}

/**
 * fastjson writes a Map keyed by a bean (ConsumeStats, TopicStatsTable, ResetOffsetBody:
 * Map<MessageQueue, ...>) with the key as a JSON object, bean fields in alphabetical order:
 * `{{"brokerName":"b","queueId":0,"topic":"T"}:5}`. Java clients and mqadmin read exactly that, so the
 * broker writes it; parseLenientJson reads it back with the key object as its JSON text.
 */
export function messageQueueKeyJson(mq: MessageQueue): string {
  return `{"brokerName":${JSON.stringify(mq.brokerName)},"queueId":${mq.queueId},"topic":${JSON.stringify(mq.topic)}}`;
}

export function encodeMessageQueueMap<V>(
  entries: Iterable<[MessageQueue, V]>,
  value: (v: V) => string,
): string {
  const parts: string[] = [];
  for (const [mq, v] of entries) parts.push(`${messageQueueKeyJson(mq)}:${value(v)}`);
  return `{${parts.join(',')}}`;
}

export function decodeMessageQueue(v: unknown): MessageQueue {
  const o = asObject(v, 'messageQueue');
  return { topic: str(o, 'topic'), brokerName: str(o, 'brokerName'), queueId: num(o, 'queueId') };
}

export function parseBody(body: Buffer): JsonObject {
  try {
    return asObject(parseLenientJson(body), 'body');
  } catch (err) {
    throw new RemotingCommandError(`bad JSON body: ${(err as Error).message}`);
  }
}

/** Reads a Map<MessageQueue, V> field of a parsed body. */
export function decodeMessageQueueMap<V>(
  o: JsonObject,
  field: string,
  value: (v: unknown) => V,
): Array<[MessageQueue, V]> {
  const m = o[field];
  if (m === undefined || m === null) return [];
  return Object.entries(asObject(m, field)).map(([k, v]) => {
    let key: unknown;
    try {
      key = JSON.parse(k);
    } catch {
      throw new RemotingCommandError(`${field} key is not a MessageQueue: ${k}`);
    }
    return [decodeMessageQueue(key), value(v)];
  });
}
