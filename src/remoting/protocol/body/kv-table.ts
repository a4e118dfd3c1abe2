import { parseLenientJson, toJson } from '../../../common/lenient-json.js';
import { asObject, optObject } from './json-fields.js';

/** KVTable body, e.g. GET_BROKER_RUNTIME_INFO's reply: `{"table":{"k":"v",...}}`. */
export interface KVTable {
  table: Record<string, string>;
}

export function encodeKVTable(t: KVTable): Buffer {
  return Buffer.from(toJson({ table: t.table }));
}

export function decodeKVTable(body: Buffer): KVTable {
  const table = optObject(asObject(parseLenientJson(body), 'body'), 'table') ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(table)) out[k] = String(v);
  return { table: out };
}
