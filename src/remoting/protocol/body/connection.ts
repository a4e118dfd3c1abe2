import { parseLenientJson, toJson } from '../../../common/lenient-json.js';
import { decodeSubscriptionData, type SubscriptionData } from './heartbeat-data.js';
import { arr, asObject, type JsonObject, num, optObject, str } from './json-fields.js';

/** Connection (common/protocol/body): one client channel as admin tools show it. */
export interface Connection {
  clientId: string;
  clientAddr: string;
  /** LanguageCode enum name, e.g. JAVA */
  language: string;
  version: number;
}

/** GET_CONSUMER_CONNECTION_LIST reply body (ConsumerConnection). */
export interface ConsumerConnection {
  connectionSet: Connection[];
  subscriptionTable: Record<string, SubscriptionData>;
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
}

/** GET_PRODUCER_CONNECTION_LIST reply body (ProducerConnection). */
export interface ProducerConnection {
  connectionSet: Connection[];
}

function decodeConnection(v: unknown): Connection {
  const o = asObject(v, 'connection');
  return {
    clientId: str(o, 'clientId'),
    clientAddr: str(o, 'clientAddr'),
    language: str(o, 'language', 'OTHER'),
    version: num(o, 'version', 0),
  };
}

export function encodeConsumerConnection(c: ConsumerConnection): Buffer {
  return Buffer.from(toJson(c));
}

export function decodeConsumerConnection(body: Buffer): ConsumerConnection {
  const o: JsonObject = asObject(parseLenientJson(body), 'consumerConnection');
  const subscriptionTable: Record<string, SubscriptionData> = {};
  for (const [topic, sd] of Object.entries(optObject(o, 'subscriptionTable') ?? {})) {
    subscriptionTable[topic] = decodeSubscriptionData(sd);
  }
  return {
    connectionSet: arr(o, 'connectionSet').map(decodeConnection),
    subscriptionTable,
    consumeType: str(o, 'consumeType', ''),
    messageModel: str(o, 'messageModel', ''),
    consumeFromWhere: str(o, 'consumeFromWhere', ''),
  };
}

export function encodeProducerConnection(p: ProducerConnection): Buffer {
  return Buffer.from(toJson(p));
}

export function decodeProducerConnection(body: Buffer): ProducerConnection {
  return {
    connectionSet: arr(asObject(parseLenientJson(body), 'producerConnection'), 'connectionSet').map(
      decodeConnection,
    ),
  };
}
