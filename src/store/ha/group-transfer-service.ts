/**
 * SYNC_MASTER waits (HAService.GroupTransferService): each put waits until a slave has acknowledged
 * an offset at or past the end of its bytes. RocketMQ swaps two request lists on a thread; here one
 * queue sorted by end offset is resolved from its head as acknowledgements arrive, so an ack costs
 * one comparison per satisfied waiter, and a single timer serves every deadline.
 */
interface Waiter {
  nextOffset: number;
  deadline: number;
  resolve: (ok: boolean) => void;
}

export class GroupTransferService {
  private queue: Waiter[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private ackedOffset = 0;
  private stopped = false;

  constructor(private readonly now: () => number = Date.now) {}

  /** Resolves true once an ack >= nextOffset arrives, false after timeoutMs (or on shutdown). */
  waitFor(nextOffset: number, timeoutMs: number): Promise<boolean> {
    if (nextOffset <= this.ackedOffset) return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const w: Waiter = { nextOffset, deadline: this.now() + timeoutMs, resolve };
      // puts complete in CommitLog order, so this is nearly always an append at the tail
      let i = this.queue.length;
      while (i > this.head && this.queue[i - 1]!.nextOffset > nextOffset) i--;
      if (i === this.queue.length) this.queue.push(w);
      else this.queue.splice(i, 0, w);
      if (w.deadline < this.timerAt) this.arm(w.deadline);
    });
  }

  /** A slave acknowledged `offset` (push2SlaveMaxOffset moved forward). */
  notifyTransferSome(offset: number): void {
    if (offset <= this.ackedOffset) return;
    this.ackedOffset = offset;
    const q = this.queue;
    let h = this.head;
    while (h < q.length && q[h]!.nextOffset <= offset) q[h++]!.resolve(true);
    this.head = h;
    this.compact();
  }

  get waiting(): number {
    return this.queue.length - this.head;
  }

  shutdown(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (let i = this.head; i < this.queue.length; i++) this.queue[i]!.resolve(false);
    this.queue = [];
    this.head = 0;
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.expire(), Math.max(0, at - this.now()));
    this.timer.unref();
  }

  /** Timeouts only happen when slaves are slow or gone: a full sweep is fine here. */
  private expire(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.now();
    const kept: Waiter[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (let i = this.head; i < this.queue.length; i++) {
      const w = this.queue[i]!;
      if (w.deadline <= now) w.resolve(false);
      else {
        kept.push(w);
        if (w.deadline < next) next = w.deadline;
      }
    }
    this.queue = kept;
    this.head = 0;
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
  }
}
