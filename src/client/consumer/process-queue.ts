import type { MessageExt } from '../message.js';

/** REBALANCE_LOCK_MAX_LIVE_TIME: a broker lock not renewed for this long is not trusted (30 s). */
export const REBALANCE_LOCK_MAX_LIVE_TIME = 30_000;
/** REBALANCE_LOCK_INTERVAL: how often an orderly consumer renews its locks (20 s). */
export const REBALANCE_LOCK_INTERVAL = 20_000;

/**
 * The local buffer of one assigned queue (client/.../impl/consumer/ProcessQueue.java): messages pulled
 * but not yet consumed, in queue-offset order, with the counters flow control reads. The offset a
 * consumer may commit is the lowest offset still here (or one past the highest when empty), so a
 * slow message holds back the commit and nothing is skipped after a crash.
 */
export class ProcessQueue {
  private readonly msgs = new Map<number, MessageExt>();
  // offsets in ascending order, some already removed from `msgs`; `head` skips the removed prefix
  private order: number[] = [];
  private head = 0;
  private msgSize = 0;
  /** The highest offset ever put (queueOffsetMax). */
  queueOffsetMax = 0;
  dropped = false;
  /**
   * Set once the queue's offset was persisted on release: later completions must not move it. Between
   * `dropped` and `released`, listener calls already running may still commit what they consumed.
   */
  released = false;
  /** Dropped, but its release was refused (a listener call still ran): the next rebalance retries it. */
  releaseFailed = false;
  lastPullTimestamp = Date.now();
  lastConsumeTimestamp = Date.now();
  /** Listener calls running for this queue; a dropped queue is drained before its offset is persisted. */
  inflight = 0;
  private drainWaiters: (() => void)[] = [];
  // ---- orderly consumption (ProcessQueue's consumingMsgOrderlyTreeMap, locked, consuming) ----
  /** Messages taken by the orderly listener and not yet committed, by offset. */
  private readonly consumingOrderly = new Map<number, MessageExt>();
  /** The broker lock of this queue is ours (LOCK_BATCH_MQ answered it). */
  locked = false;
  lastLockTimestamp = Date.now();
  /** An orderly consume request for this queue is queued or running (the one lane). */
  consuming = false;
  /** Failed attempts to release the queue while its listener call ran (tryUnlockTimes). */
  tryUnlockTimes = 0;

  /** Messages held: buffered plus taken-but-uncommitted (msgCount). */
  get msgCount(): number {
    return this.msgs.size + this.consumingOrderly.size;
  }

  /** Body bytes buffered (msgSize). */
  get msgSizeBytes(): number {
    return this.msgSize;
  }

  /** Adds pulled messages, ignoring ones already buffered. */
  putMessage(msgs: readonly MessageExt[]): void {
    for (const msg of msgs) {
      const off = msg.queueOffset;
      if (this.msgs.has(off) || this.consumingOrderly.has(off)) continue;
      this.msgs.set(off, msg);
      this.msgSize += msg.body.length;
      const last = this.order[this.order.length - 1];
      if (last === undefined || off > last) this.order.push(off);
      else this.order.splice(lowerBound(this.order, off, this.head), 0, off);
      if (off > this.queueOffsetMax) this.queueOffsetMax = off;
    }
  }

  /**
   * Removes consumed messages and returns the offset that is now safe to commit: the lowest one still
   * buffered, or queueOffsetMax + 1 when none is; -1 when the queue was already empty.
   */
  removeMessage(msgs: readonly MessageExt[]): number {
    if (this.msgs.size === 0) return -1;
    this.lastConsumeTimestamp = Date.now();
    for (const msg of msgs) {
      const prev = this.msgs.get(msg.queueOffset);
      if (prev === undefined) continue;
      this.msgs.delete(msg.queueOffset);
      this.msgSize -= prev.body.length;
    }
    const first = this.firstOffset();
    return first === undefined ? this.queueOffsetMax + 1 : first;
  }

  /** The lowest buffered offset (msgTreeMap.firstKey). */
  firstOffset(): number | undefined {
    while (this.head < this.order.length && !this.msgs.has(this.order[this.head]!)) this.head++;
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
    return this.head < this.order.length ? this.order[this.head] : undefined;
  }

  /** Distance between the lowest and highest buffered offsets (getMaxSpan). */
  maxSpan(): number {
    const first = this.firstOffset();
    if (first === undefined) return 0;
    while (this.order.length > this.head && !this.msgs.has(this.order[this.order.length - 1]!))
      this.order.pop();
    return this.order[this.order.length - 1]! - first;
  }

  /** Buffered messages in offset order. */
  messages(): MessageExt[] {
    const out: MessageExt[] = [];
    for (let i = this.head; i < this.order.length; i++) {
      const m = this.msgs.get(this.order[i]!);
      if (m) out.push(m);
    }
    return out;
  }

  /** The lock was not renewed for REBALANCE_LOCK_MAX_LIVE_TIME (isLockExpired). */
  isLockExpired(now = Date.now()): boolean {
    return now - this.lastLockTimestamp > REBALANCE_LOCK_MAX_LIVE_TIME;
  }

  /** Buffered messages not yet taken (hasTempMessage). */
  hasTempMessage(): boolean {
    return this.msgs.size > 0;
  }

  /**
   * takeMessages: moves up to `batchSize` of the lowest buffered messages to the consuming set; an
   * empty result ends this queue's lane (consuming = false) until the next put.
   */
  takeMessages(batchSize: number): MessageExt[] {
    const out: MessageExt[] = [];
    this.lastConsumeTimestamp = Date.now();
    while (out.length < batchSize) {
      const first = this.firstOffset();
      if (first === undefined) break;
      const m = this.msgs.get(first)!;
      this.msgs.delete(first);
      this.consumingOrderly.set(first, m);
      out.push(m);
    }
    if (out.length === 0) this.consuming = false;
    return out;
  }

  /** commit: the taken messages are done; returns the offset after the highest of them, or -1. */
  commit(): number {
    let max = -1;
    for (const [off, m] of this.consumingOrderly) {
      if (off > max) max = off;
      this.msgSize -= m.body.length;
    }
    this.consumingOrderly.clear();
    if (this.msgCount === 0) this.msgSize = 0;
    return max >= 0 ? max + 1 : -1;
  }

  /** makeMessageToConsumeAgain: taken messages go back to the buffer, to be taken first again. */
  makeMessageToConsumeAgain(msgs: readonly MessageExt[]): void {
    for (const m of msgs) {
      if (!this.consumingOrderly.delete(m.queueOffset)) continue;
      this.msgs.set(m.queueOffset, m);
      this.order.splice(lowerBound(this.order, m.queueOffset, this.head), 0, m.queueOffset);
    }
  }

  /** rollback: every taken message goes back to the buffer. */
  rollback(): void {
    this.makeMessageToConsumeAgain([...this.consumingOrderly.values()]);
  }

  clear(): void {
    this.consumingOrderly.clear();
    this.msgs.clear();
    this.order = [];
    this.head = 0;
    this.msgSize = 0;
    this.queueOffsetMax = 0;
  }

  /** No pull for this long means the pull loop is stuck (isPullExpired, 120 s). */
  isPullExpired(now = Date.now(), maxIdleMs = 120_000): boolean {
    return now - this.lastPullTimestamp > maxIdleMs;
  }

  beginConsume(): void {
    this.inflight++;
  }

  endConsume(): void {
    this.inflight--;
    if (this.inflight === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Resolves when no listener call for this queue is running, or after `timeoutMs`. */
  waitDrained(timeoutMs: number): Promise<boolean> {
    if (this.inflight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.drainWaiters = this.drainWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.drainWaiters.push(done);
    });
  }
}

function lowerBound(sorted: readonly number[], value: number, from: number): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
