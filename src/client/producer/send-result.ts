import type { MessageQueue } from '../message-queue.js';

/** SendStatus: stored, but the flush or the slave did not confirm in time, or there is no slave. */
export type SendStatus = 'SEND_OK' | 'FLUSH_DISK_TIMEOUT' | 'FLUSH_SLAVE_TIMEOUT' | 'SLAVE_NOT_AVAILABLE';

/** What a send resolves with (client/.../producer/SendResult.java). */
export interface SendResult {
  status: SendStatus;
  /** The producer's unique id (UNIQ_KEY); for a batch, the ids joined with commas. */
  msgId: string;
  /** The broker's id of the stored copy (store host + commit log offset). */
  offsetMsgId: string;
  messageQueue: MessageQueue;
  queueOffset: number;
  transactionId?: string;
  regionId?: string;
  traceOn?: boolean;
}
