import { promisify } from 'node:util';
import { deflate, inflate } from 'node:zlib';
import { parseLenientJson, toJson } from '../../../common/lenient-json.js';
import type { DataVersion, RegisterBrokerBody, TopicConfig, TopicFilterType } from './route-data.js';

const inflateAsync = promisify(inflate);
const deflateAsync = promisify(deflate);

/** A REGISTER_BROKER body we cannot read; the request is answered with SYSTEM_ERROR, as RocketMQ does. */
export class RegisterBrokerBodyError extends Error {
  override name = 'RegisterBrokerBodyError';
}

/** Inflated bodies beyond this are refused rather than decompressed into memory (a deflate bomb). */
const MAX_INFLATED_BYTES = 256 * 1024 * 1024;

/**
 * Decodes a REGISTER_BROKER body. Plain: RegisterBrokerBody as JSON. Compressed (header compressed=true):
 * RegisterBrokerBody.encode(true) of 4.9.8, a zlib stream of
 *   int32 len + DataVersion JSON, int32 topic count, per topic int32 len + TopicConfig.encode()
 *   ("name read write perm filterType", which drops topicSysFlag and order), int32 len + filter server list JSON.
 */
export async function decodeRegisterBrokerBody(
  data: Buffer,
  compressed: boolean,
): Promise<RegisterBrokerBody> {
  if (!compressed) return parsePlainBody(data);
  let raw: Buffer;
  try {
    raw = await inflateAsync(data, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (err) {
    throw new RegisterBrokerBodyError(`Failed to decode RegisterBrokerBody: ${(err as Error).message}`);
  }
  let pos = 0;
  const chunk = (): Buffer => {
    if (pos + 4 > raw.length)
      throw new RegisterBrokerBodyError('Failed to decode RegisterBrokerBody: truncated');
    const len = raw.readInt32BE(pos);
    pos += 4;
    if (len < 0 || pos + len > raw.length)
      throw new RegisterBrokerBodyError('Failed to decode RegisterBrokerBody: truncated');
    pos += len;
    return raw.subarray(pos - len, pos);
  };
  const dataVersion = toDataVersion(parseJson(chunk()));
  if (pos + 4 > raw.length)
    throw new RegisterBrokerBodyError('Failed to decode RegisterBrokerBody: truncated');
  const count = raw.readInt32BE(pos);
  pos += 4;
  const topicConfigTable = new Map<string, TopicConfig>();
  for (let i = 0; i < count; i++) {
    const tc = decodeTopicConfigLine(chunk().toString('utf8'));
    topicConfigTable.set(tc.topicName, tc);
  }
  // As 4.9.8: an unreadable filter server list is logged and treated as empty, not an error.
  let filterServerList: string[] = [];
  try {
    const list = parseLenientJson(chunk());
    if (Array.isArray(list)) filterServerList = list.map(String);
  } catch {
    filterServerList = [];
  }
  return { topicConfigSerializeWrapper: { topicConfigTable, dataVersion }, filterServerList };
}

/** The inverse of decodeRegisterBrokerBody, in either form (RegisterBrokerBody.encode(compress) of 4.9.8). */
export async function encodeRegisterBrokerBody(body: RegisterBrokerBody, compress: boolean): Promise<Buffer> {
  const { topicConfigTable } = body.topicConfigSerializeWrapper;
  // fastjson's field order (alphabetical), so our bytes match a Java broker's.
  const { counter, timestamp } = body.topicConfigSerializeWrapper.dataVersion;
  const dataVersion = { counter, timestamp };
  if (!compress) {
    return Buffer.from(
      toJson({
        filterServerList: body.filterServerList,
        topicConfigSerializeWrapper: { dataVersion, topicConfigTable },
      }),
    );
  }
  const parts: Buffer[] = [];
  const put = (b: Buffer): void => {
    const len = Buffer.alloc(4);
    len.writeInt32BE(b.length);
    parts.push(len, b);
  };
  put(Buffer.from(toJson(dataVersion)));
  const count = Buffer.alloc(4);
  count.writeInt32BE(topicConfigTable.size);
  parts.push(count);
  for (const tc of topicConfigTable.values()) {
    put(
      Buffer.from(
        `${tc.topicName} ${tc.readQueueNums} ${tc.writeQueueNums} ${tc.perm} ${tc.topicFilterType}`,
      ),
    );
  }
  put(Buffer.from(toJson(body.filterServerList)));
  return deflateAsync(Buffer.concat(parts), { level: 9 });
}

/** A TopicConfig with RocketMQ's field defaults for whatever `value` leaves out. */
export function toTopicConfig(value: unknown, fallbackName: string): TopicConfig {
  const o = asObject(value, 'TopicConfig');
  const filter = o.topicFilterType === 'MULTI_TAG' ? 'MULTI_TAG' : 'SINGLE_TAG';
  return {
    topicName: typeof o.topicName === 'string' ? o.topicName : fallbackName,
    readQueueNums: toInt(o.readQueueNums, 16),
    writeQueueNums: toInt(o.writeQueueNums, 16),
    perm: toInt(o.perm, 6),
    topicFilterType: filter,
    topicSysFlag: toInt(o.topicSysFlag, 0),
    order: o.order === true || o.order === 'true',
  };
}

/** DataVersion from JSON; a missing field is 0, as an absent body registers with DataVersion(0, 0). */
export function toDataVersion(value: unknown): DataVersion {
  const o = value === null || value === undefined ? {} : asObject(value, 'DataVersion');
  return { timestamp: toInt(o.timestamp, 0), counter: toInt(o.counter, 0) };
}

/** A body-less REGISTER_BROKER registers an empty topic table at DataVersion(0, 0), as 4.9.8. */
export function emptyRegisterBrokerBody(): RegisterBrokerBody {
  return {
    topicConfigSerializeWrapper: { topicConfigTable: new Map(), dataVersion: { timestamp: 0, counter: 0 } },
    filterServerList: [],
  };
}

function parsePlainBody(data: Buffer): RegisterBrokerBody {
  const o = asObject(parseJson(data), 'RegisterBrokerBody');
  const wrapper =
    o.topicConfigSerializeWrapper === undefined || o.topicConfigSerializeWrapper === null
      ? {}
      : asObject(o.topicConfigSerializeWrapper, 'TopicConfigSerializeWrapper');
  const topicConfigTable = new Map<string, TopicConfig>();
  if (wrapper.topicConfigTable !== undefined && wrapper.topicConfigTable !== null) {
    for (const [name, tc] of Object.entries(asObject(wrapper.topicConfigTable, 'topicConfigTable'))) {
      const config = toTopicConfig(tc, name);
      topicConfigTable.set(config.topicName, config);
    }
  }
  // RocketMQ's plain body: a new DataVersion (timestamp = now) when the wrapper has none.
  const dataVersion =
    wrapper.dataVersion === undefined
      ? { timestamp: Date.now(), counter: 0 }
      : toDataVersion(wrapper.dataVersion);
  const filterServerList = Array.isArray(o.filterServerList) ? o.filterServerList.map(String) : [];
  return { topicConfigSerializeWrapper: { topicConfigTable, dataVersion }, filterServerList };
}

function decodeTopicConfigLine(line: string): TopicConfig {
  const parts = line.split(' ');
  if (parts.length !== 5 || !parts[0]) {
    throw new RegisterBrokerBodyError(`Failed to decode RegisterBrokerBody: bad topic config "${line}"`);
  }
  const [name, read, write, perm, filter] = parts as [string, string, string, string, string];
  if (filter !== 'SINGLE_TAG' && filter !== 'MULTI_TAG') {
    throw new RegisterBrokerBodyError(
      `Failed to decode RegisterBrokerBody: bad topic filter type "${filter}"`,
    );
  }
  const int = (s: string): number => {
    if (!/^-?\d+$/.test(s))
      throw new RegisterBrokerBodyError(`Failed to decode RegisterBrokerBody: bad number "${s}"`);
    return Number(s);
  };
  return {
    topicName: name,
    readQueueNums: int(read),
    writeQueueNums: int(write),
    perm: int(perm),
    topicFilterType: filter as TopicFilterType,
    topicSysFlag: 0,
    order: false,
  };
}

function parseJson(data: Buffer): unknown {
  try {
    return parseLenientJson(data);
  } catch (err) {
    throw new RegisterBrokerBodyError(`Failed to decode RegisterBrokerBody: ${(err as Error).message}`);
  }
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RegisterBrokerBodyError(`Failed to decode RegisterBrokerBody: ${what} is not an object`);
  }
  return value as Record<string, unknown>;
}

function toInt(v: unknown, dflt: number): number {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  if (typeof v === 'bigint') return Number(v);
  return dflt;
}
