import type { MessageQueue } from '../message-queue.js';
import { type AllocateMessageQueueStrategy, checkAllocateArgs } from './allocate-message-queue-strategy.js';

/** AllocateMessageQueueAveragelyByCircle ("AVG_BY_CIRCLE"): queue i goes to consumer i mod n. */
export class AllocateMessageQueueAveragelyByCircle implements AllocateMessageQueueStrategy {
  readonly name = 'AVG_BY_CIRCLE';

  allocate(
    _group: string,
    currentCID: string,
    mqAll: readonly MessageQueue[],
    cidAll: readonly string[],
  ): MessageQueue[] {
    if (!checkAllocateArgs(currentCID, mqAll, cidAll)) return [];
    const index = cidAll.indexOf(currentCID);
    const result: MessageQueue[] = [];
    for (let i = index; i < mqAll.length; i++) if (i % cidAll.length === index) result.push(mqAll[i]!);
    return result;
  }
}
