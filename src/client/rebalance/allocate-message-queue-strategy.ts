import type { MessageQueue } from '../message-queue.js';

/**
 * Splits a topic's queues among the consumers of a group (AllocateMessageQueueStrategy). Every member
 * calls it with the same sorted `mqAll` and `cidAll` and takes only its own share, so the strategies
 * must be deterministic and identical to RocketMQ's for a mixed Java/TypeScript group to agree.
 */
export interface AllocateMessageQueueStrategy {
  readonly name: string;
  allocate(
    consumerGroup: string,
    currentCID: string,
    mqAll: readonly MessageQueue[],
    cidAll: readonly string[],
  ): MessageQueue[];
}

/** AbstractAllocateMessageQueueStrategy.check: bad input throws, a client not in the list gets nothing. */
export function checkAllocateArgs(
  currentCID: string,
  mqAll: readonly MessageQueue[],
  cidAll: readonly string[],
): boolean {
  if (!currentCID) throw new Error('currentCID is empty');
  if (mqAll.length === 0) throw new Error('mqAll is null or mqAll empty');
  if (cidAll.length === 0) throw new Error('cidAll is null or cidAll empty');
  return cidAll.includes(currentCID);
}
