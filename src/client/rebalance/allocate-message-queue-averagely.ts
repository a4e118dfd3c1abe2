import type { MessageQueue } from '../message-queue.js';
import { type AllocateMessageQueueStrategy, checkAllocateArgs } from './allocate-message-queue-strategy.js';

/** AllocateMessageQueueAveragely ("AVG"): consecutive blocks, the first `mod` consumers get one more. */
export class AllocateMessageQueueAveragely implements AllocateMessageQueueStrategy {
  readonly name = 'AVG';

  allocate(
    _group: string,
    currentCID: string,
    mqAll: readonly MessageQueue[],
    cidAll: readonly string[],
  ): MessageQueue[] {
    if (!checkAllocateArgs(currentCID, mqAll, cidAll)) return [];
    const index = cidAll.indexOf(currentCID);
    const mod = mqAll.length % cidAll.length;
    const base = Math.trunc(mqAll.length / cidAll.length);
    const averageSize = mqAll.length <= cidAll.length ? 1 : mod > 0 && index < mod ? base + 1 : base;
    const startIndex = mod > 0 && index < mod ? index * averageSize : index * averageSize + mod;
    const range = Math.min(averageSize, mqAll.length - startIndex);
    const result: MessageQueue[] = [];
    for (let i = 0; i < range; i++) result.push(mqAll[(startIndex + i) % mqAll.length]!);
    return result;
  }
}
