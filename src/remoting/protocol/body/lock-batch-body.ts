import { toJson } from '../../../common/lenient-json.js';
import { arr, str } from './json-fields.js';
import { decodeMessageQueue, type MessageQueue, parseBody } from './message-queue.js';

/** LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42) request body (LockBatchRequestBody / UnlockBatchRequestBody). */
export interface LockBatchRequestBody {
  consumerGroup: string;
  clientId: string;
  mqSet: MessageQueue[];
}

/** LOCK_BATCH_MQ reply body (LockBatchResponseBody): the queues now locked by the caller. */
export interface LockBatchResponseBody {
  lockOKMQSet: MessageQueue[];
}

export function encodeLockBatchRequestBody(b: LockBatchRequestBody): Buffer {
  return Buffer.from(toJson(b));
}

export function decodeLockBatchRequestBody(body: Buffer): LockBatchRequestBody {
  const o = parseBody(body);
  return {
    consumerGroup: str(o, 'consumerGroup'),
    clientId: str(o, 'clientId'),
    mqSet: arr(o, 'mqSet').map(decodeMessageQueue),
  };
}

export function encodeLockBatchResponseBody(b: LockBatchResponseBody): Buffer {
  return Buffer.from(toJson(b));
}

export function decodeLockBatchResponseBody(body: Buffer): LockBatchResponseBody {
  return { lockOKMQSet: arr(parseBody(body), 'lockOKMQSet').map(decodeMessageQueue) };
}
