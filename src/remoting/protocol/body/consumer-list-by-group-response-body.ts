import { parseLenientJson, toJson } from '../../../common/lenient-json.js';
import { arr, asObject } from './json-fields.js';

/** GET_CONSUMER_LIST_BY_GROUP reply body (GetConsumerListByGroupResponseBody). */
export interface ConsumerListByGroupResponseBody {
  consumerIdList: string[];
}

export function encodeConsumerListByGroupResponseBody(b: ConsumerListByGroupResponseBody): Buffer {
  return Buffer.from(toJson({ consumerIdList: b.consumerIdList }));
}

export function decodeConsumerListByGroupResponseBody(body: Buffer): ConsumerListByGroupResponseBody {
  return { consumerIdList: arr(asObject(parseLenientJson(body), 'body'), 'consumerIdList').map(String) };
}
