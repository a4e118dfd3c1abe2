import { RemotingCommandError } from '../../custom-header.js';

/**
 * Typed reads out of leniently parsed JSON bodies (fastjson output: fields in any order, nulls omitted,
 * numbers where Java had longs). A body of the wrong shape is the client's fault: it throws
 * RemotingCommandError, which the server answers with SYSTEM_ERROR, as RocketMQ does for a bad body.
 */
export type JsonObject = Record<string, unknown>;

export function asObject(v: unknown, what: string): JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new RemotingCommandError(`${what} is not a JSON object`);
  return v as JsonObject;
}

export function optObject(o: JsonObject, key: string): JsonObject | undefined {
  const v = o[key];
  return v === undefined || v === null ? undefined : asObject(v, key);
}

export function str(o: JsonObject, key: string, dflt?: string): string {
  const v = o[key];
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) {
    if (dflt !== undefined) return dflt;
    throw new RemotingCommandError(`field ${key} is missing`);
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  throw new RemotingCommandError(`field ${key} is not a string`);
}

export function optStr(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  return v === undefined || v === null ? undefined : str(o, key);
}

export function num(o: JsonObject, key: string, dflt?: number): number {
  const v = o[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  if ((v === undefined || v === null) && dflt !== undefined) return dflt;
  throw new RemotingCommandError(`field ${key} is not a number`);
}

export function bool(o: JsonObject, key: string, dflt: boolean): boolean {
  const v = o[key];
  if (typeof v === 'boolean') return v;
  if (v === undefined || v === null) return dflt;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new RemotingCommandError(`field ${key} is not a boolean`);
}

export function arr(o: JsonObject, key: string): unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new RemotingCommandError(`field ${key} is not an array`);
  return v;
}
