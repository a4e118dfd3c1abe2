import type { DefaultMessageStore } from '../../store/default-message-store.js';

/** Entries kept per op queue before the cache gives up on it (the check service then reads the ops). */
const MAX_ENTRIES = 4_000_000;

interface QueueCache {
  /** op queue offset of halves[0] */
  base: number;
  /** half queue offset per op queue offset from base; -1 where unknown */
  halves: number[];
}

/**
 * What the op messages this broker wrote say (op queue offset -> half queue offset), so that the check
 * service need not read back every op message of RMQ_SYS_TRANS_OP_HALF_TOPIC from the CommitLog on each
 * run (4.9.8 pulls them; read back one by one they cost a read and a decode per transaction per run).
 * Filled when an op message is stored, trimmed below the committed op offset after each check; after a
 * restart it is empty and the check service reads the ops it does not know.
 */
export class OpOffsetCache {
  private readonly queues = new Map<number, QueueCache>();

  record(queueId: number, opOffset: number, halfOffset: number): void {
    let q = this.queues.get(queueId);
    if (!q) {
      q = { base: opOffset, halves: [] };
      this.queues.set(queueId, q);
    }
    const idx = opOffset - q.base;
    if (idx < 0) return;
    if (idx >= MAX_ENTRIES) {
      this.queues.delete(queueId);
      return;
    }
    while (q.halves.length < idx) q.halves.push(-1);
    q.halves[idx] = halfOffset;
  }

  /** The half queue offset an op message holds, when this broker wrote it and it is still kept. */
  lookup(queueId: number, opOffset: number): number | undefined {
    const q = this.queues.get(queueId);
    if (!q) return undefined;
    const v = q.halves[opOffset - q.base];
    return v === undefined || v < 0 ? undefined : v;
  }

  /** Forgets op offsets below `below` (committed by the check service). */
  trim(queueId: number, below: number): void {
    const q = this.queues.get(queueId);
    if (!q || below <= q.base) return;
    const drop = below - q.base;
    if (drop >= q.halves.length) q.halves = [];
    else q.halves.splice(0, drop);
    q.base = below;
  }

  size(queueId: number): number {
    return this.queues.get(queueId)?.halves.length ?? 0;
  }
}

const caches = new WeakMap<DefaultMessageStore, OpOffsetCache>();

/** The op offset cache of one broker's store. */
export function opOffsetCacheOf(store: DefaultMessageStore): OpOffsetCache {
  let c = caches.get(store);
  if (!c) {
    c = new OpOffsetCache();
    caches.set(store, c);
  }
  return c;
}
