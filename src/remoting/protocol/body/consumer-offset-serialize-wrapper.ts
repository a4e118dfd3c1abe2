import { parseLenientJson, toJson } from '../../../common/lenient-json.js';
import { asObject, optObject } from './json-fields.js';

/**
 * GET_ALL_CONSUMER_OFFSET reply body and consumerOffset.json: `{"offsetTable":{"topic@group":{queueId:offset}}}`
 * (ConsumerOffsetSerializeWrapper; ConsumerOffsetManager persists the same shape).
 */
export interface ConsumerOffsetSerializeWrapper {
  offsetTable: Record<string, Record<string, number>>;
}

export function encodeConsumerOffsetSerializeWrapper(
  w: ConsumerOffsetSerializeWrapper,
  pretty = false,
): string {
  return pretty ? JSON.stringify(w, null, '\t') : toJson(w);
}

export function decodeConsumerOffsetSerializeWrapper(text: string | Buffer): ConsumerOffsetSerializeWrapper {
  const o = asObject(parseLenientJson(text), 'consumerOffsetSerializeWrapper');
  const offsetTable: Record<string, Record<string, number>> = {};
  for (const [key, table] of Object.entries(optObject(o, 'offsetTable') ?? {})) {
    const out: Record<string, number> = {};
    for (const [qid, off] of Object.entries(asObject(table, key))) out[qid] = Number(off);
    offsetTable[key] = out;
  }
  return { offsetTable };
}
