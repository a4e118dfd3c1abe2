import type { MessageQueue } from '../message-queue.js';

/**
 * Where a consumer keeps how far it got in each queue (client/.../consumer/store/OffsetStore.java):
 * on the broker for clustering, in a local file for broadcasting.
 */
export type ReadOffsetType = 'READ_FROM_MEMORY' | 'READ_FROM_STORE' | 'MEMORY_FIRST_THEN_STORE';

export interface OffsetStore {
  load(): Promise<void>;
  /** `increaseOnly` keeps a larger offset already recorded (a late, slower commit never moves back). */
  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void;
  /** The offset, -1 when none is recorded, -2 when the store could not be read. */
  readOffset(mq: MessageQueue, type: ReadOffsetType): Promise<number>;
  /** Persists the offsets of `mqs` and forgets the others. */
  persistAll(mqs: readonly MessageQueue[]): Promise<void>;
  /** Persists one queue's offset and waits until it is written. */
  persist(mq: MessageQueue): Promise<void>;
  removeOffset(mq: MessageQueue): void;
  /** Sets the stored offset at once (seek, reset). */
  updateConsumeOffsetToStore(mq: MessageQueue, offset: number): Promise<void>;
}
