import type { Clock } from '../scheduler.js';

/** A Clock for a Scheduler in tests: time moves only when the test says so. */
export class FakeClock implements Clock {
  constructor(private t = 0) {}

  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }

  advance(ms: number): Promise<void> {
    return this.advanceTo(this.t + ms);
  }

  /**
   * Fires the timers due up to `end` in time order, each at its own time, letting promise callbacks
   * run between them (bounded: a task that re-arms at 0 ms cannot spin forever).
   */
  async advanceTo(end: number): Promise<void> {
    for (let guard = 0; guard < 100_000; guard++) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
      await new Promise((r) => setImmediate(r));
    }
    this.t = end;
  }
}
