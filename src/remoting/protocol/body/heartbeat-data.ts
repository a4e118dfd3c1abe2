import { parseLenientJson, toJson } from '../../../common/lenient-json.js';
import { javaStringHashCode } from '../../../common/tag-hash.js';
import { RemotingCommandError } from '../../custom-header.js';
import { arr, asObject, bool, type JsonObject, num, str } from './json-fields.js';

/** SubscriptionData (common/protocol/heartbeat): one topic subscription of a consumer group. */
export interface SubscriptionData {
  classFilterMode: boolean;
  topic: string;
  subString: string;
  tagsSet: string[];
  codeSet: number[];
  subVersion: number;
  /** TAG or SQL92 */
  expressionType: string;
}

export interface ConsumerData {
  groupName: string;
  /** CONSUME_ACTIVELY (pull) or CONSUME_PASSIVELY (push) */
  consumeType: string;
  /** CLUSTERING or BROADCASTING */
  messageModel: string;
  consumeFromWhere: string;
  subscriptionDataSet: SubscriptionData[];
  unitMode: boolean;
}

export interface ProducerData {
  groupName: string;
}

/** HEART_BEAT (34) body. */
export interface HeartbeatData {
  clientID: string;
  producerDataSet: ProducerData[];
  consumerDataSet: ConsumerData[];
}

export const SUB_ALL = '*';

/**
 * As RocketMQ's FilterAPI.buildSubscriptionData: "*" or empty subscribes all; otherwise tags split on
 * "||", trimmed, with their Java String.hashCode in codeSet (the value stored in ConsumeQueue entries).
 */
export function buildSubscriptionData(
  topic: string,
  subString: string | undefined | null,
  subVersion = Date.now(),
): SubscriptionData {
  const sd: SubscriptionData = {
    classFilterMode: false,
    topic,
    subString: SUB_ALL,
    tagsSet: [],
    codeSet: [],
    subVersion,
    expressionType: 'TAG',
  };
  if (
    subString === undefined ||
    subString === null ||
    subString.trim() === '' ||
    subString.trim() === SUB_ALL
  ) {
    return sd;
  }
  sd.subString = subString;
  for (const part of subString.split('||')) {
    const tag = part.trim();
    if (tag.length === 0 || sd.tagsSet.includes(tag)) continue;
    sd.tagsSet.push(tag);
    sd.codeSet.push(javaStringHashCode(tag));
  }
  if (sd.tagsSet.length === 0) throw new RemotingCommandError(`subString split error: ${subString}`);
  return sd;
}

export function decodeSubscriptionData(v: unknown): SubscriptionData {
  const o = asObject(v, 'subscriptionData');
  return {
    classFilterMode: bool(o, 'classFilterMode', false),
    topic: str(o, 'topic'),
    subString: str(o, 'subString', SUB_ALL),
    tagsSet: arr(o, 'tagsSet').map(String),
    codeSet: arr(o, 'codeSet').map((c) => Number(c)),
    subVersion: num(o, 'subVersion', 0),
    expressionType: str(o, 'expressionType', 'TAG'),
  };
}

function decodeConsumerData(v: unknown): ConsumerData {
  const o: JsonObject = asObject(v, 'consumerData');
  return {
    groupName: str(o, 'groupName'),
    consumeType: str(o, 'consumeType', 'CONSUME_PASSIVELY'),
    messageModel: str(o, 'messageModel', 'CLUSTERING'),
    consumeFromWhere: str(o, 'consumeFromWhere', 'CONSUME_FROM_LAST_OFFSET'),
    subscriptionDataSet: arr(o, 'subscriptionDataSet').map(decodeSubscriptionData),
    unitMode: bool(o, 'unitMode', false),
  };
}

export function decodeHeartbeatData(body: Buffer | null): HeartbeatData {
  if (!body || body.length === 0) throw new RemotingCommandError('heartbeat body is empty');
  let parsed: unknown;
  try {
    parsed = parseLenientJson(body);
  } catch (err) {
    throw new RemotingCommandError(`heartbeat body is not JSON: ${(err as Error).message}`);
  }
  const o = asObject(parsed, 'heartbeatData');
  return {
    clientID: str(o, 'clientID'),
    producerDataSet: arr(o, 'producerDataSet').map((p) => ({
      groupName: str(asObject(p, 'producerData'), 'groupName'),
    })),
    consumerDataSet: arr(o, 'consumerDataSet').map(decodeConsumerData),
  };
}

export function encodeHeartbeatData(h: HeartbeatData): Buffer {
  return Buffer.from(toJson(h));
}
