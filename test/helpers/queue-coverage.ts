/**
 * "Did the consumer get every message?" for interop tests: which (queueId, queueOffset) pairs of a topic
 * a program printed, against the queue max offsets the broker reports, and whether each queue was
 * consumed in order.
 */

export interface QueuePosition {
  queueId: number;
  queueOffset: number;
}

export interface Coverage {
  /** every pair [from, max) of every queue was seen at least once */
  complete: boolean;
  /** "q:offset" pairs never seen (first 20) */
  missing: string[];
  /** pairs seen outside [from, max) (first 20) */
  unexpected: string[];
  /** pairs seen more than once (redeliveries) */
  duplicates: number;
}

/**
 * `maxOffsets[q]` is the end of queue q; `from[q]` (default 0) where consumption should have started.
 */
export function coverage(seen: QueuePosition[], maxOffsets: number[], from: number[] = []): Coverage {
  const pairs = new Set<string>();
  let duplicates = 0;
  const unexpected: string[] = [];
  for (const m of seen) {
    const key = `${m.queueId}:${m.queueOffset}`;
    if (pairs.has(key)) duplicates++;
    pairs.add(key);
    const start = from[m.queueId] ?? 0;
    const end = maxOffsets[m.queueId] ?? 0;
    if ((m.queueOffset < start || m.queueOffset >= end) && unexpected.length < 20) unexpected.push(key);
  }
  const missing: string[] = [];
  let missingCount = 0;
  maxOffsets.forEach((end, q) => {
    for (let o = from[q] ?? 0; o < end; o++) {
      if (!pairs.has(`${q}:${o}`)) {
        missingCount++;
        if (missing.length < 20) missing.push(`${q}:${o}`);
      }
    }
  });
  return { complete: missingCount === 0, missing, unexpected, duplicates };
}

/**
 * Queues whose offsets were printed out of order. A redelivery of the offset just printed (an orderly
 * consumer's SUSPEND_CURRENT_QUEUE_A_MOMENT) is in order; going back to an earlier one is not.
 */
export function outOfOrder(seen: QueuePosition[]): string[] {
  const last = new Map<number, number>();
  const bad: string[] = [];
  for (const m of seen) {
    const prev = last.get(m.queueId);
    if (prev !== undefined && m.queueOffset < prev)
      bad.push(`queue ${m.queueId}: ${m.queueOffset} after ${prev}`);
    last.set(m.queueId, m.queueOffset);
  }
  return bad;
}

/** Counts of each distinct string (a multiset), for comparing bodies regardless of order. */
export function multiset(values: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return new Map([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
