import { createHash } from 'node:crypto';
import { type MessageQueue, messageQueueToString } from '../message-queue.js';
import { type AllocateMessageQueueStrategy, checkAllocateArgs } from './allocate-message-queue-strategy.js';

/** ConsistentHashRouter's default hash: the first 4 bytes of MD5(key) as an unsigned number. */
export function md5Hash(key: string): number {
  return createHash('md5').update(key, 'utf8').digest().readUInt32BE(0);
}

/**
 * AllocateMessageQueueConsistentHash ("CONSISTENT_HASH"): each consumer gets `virtualNodeCnt` points
 * `cid-i` on an MD5 ring; a queue belongs to the first point at or after the hash of its
 * MessageQueue.toString(), wrapping around. A later point with an equal hash replaces an earlier one,
 * as TreeMap.put does.
 */
export class AllocateMessageQueueConsistentHash implements AllocateMessageQueueStrategy {
  readonly name = 'CONSISTENT_HASH';

  constructor(
    private readonly virtualNodeCnt = 10,
    private readonly hashFunction: (key: string) => number = md5Hash,
  ) {
    if (virtualNodeCnt < 0) throw new Error(`illegal virtualNodeCnt :${virtualNodeCnt}`);
  }

  allocate(
    _group: string,
    currentCID: string,
    mqAll: readonly MessageQueue[],
    cidAll: readonly string[],
  ): MessageQueue[] {
    if (!checkAllocateArgs(currentCID, mqAll, cidAll)) return [];
    const ring = new Map<number, string>();
    const replicas = new Map<string, number>();
    for (const cid of cidAll) {
      // ConsistentHashRouter.addNode numbers a repeated node's points after its existing ones
      const existing = replicas.get(cid) ?? 0;
      for (let i = 0; i < this.virtualNodeCnt; i++)
        ring.set(this.hashFunction(`${cid}-${i + existing}`), cid);
      replicas.set(cid, existing + this.virtualNodeCnt);
    }
    if (ring.size === 0) return [];
    const points = [...ring.keys()].sort((a, b) => a - b);
    const result: MessageQueue[] = [];
    for (const mq of mqAll) {
      const h = this.hashFunction(messageQueueToString(mq));
      const at = lowerBound(points, h);
      const owner = ring.get(points[at < points.length ? at : 0]!);
      if (owner === currentCID) result.push(mq);
    }
    return result;
  }
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
