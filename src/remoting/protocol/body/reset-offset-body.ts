import {
  decodeMessageQueueMap,
  encodeMessageQueueMap,
  type MessageQueue,
  parseBody,
} from './message-queue.js';

/** INVOKE_BROKER_TO_RESET_OFFSET reply body and RESET_CONSUMER_CLIENT_OFFSET request body (ResetOffsetBody). */
export interface ResetOffsetBody {
  offsetTable: Array<[MessageQueue, number]>;
}

export function encodeResetOffsetBody(b: ResetOffsetBody): Buffer {
  return Buffer.from(`{"offsetTable":${encodeMessageQueueMap(b.offsetTable, (v) => String(v))}}`);
}

export function decodeResetOffsetBody(body: Buffer): ResetOffsetBody {
  return { offsetTable: decodeMessageQueueMap(parseBody(body), 'offsetTable', (v) => Number(v)) };
}
