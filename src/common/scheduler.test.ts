import { describe, expect, it } from 'vitest';
import { type Clock, Scheduler } from './scheduler.js';

/** A clock that moves only when the test says so. */
class FakeClock implements Clock {
  private t = 0;
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
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (let guard = 0; guard < 10_000; guard++) {
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

describe('Scheduler', () => {
  it('runs periodic tasks with a fixed delay and stops them all', async () => {
    const clock = new FakeClock();
    const s = new Scheduler(clock);
    let runs = 0;
    s.every('count', 100, () => {
      runs++;
    });
    await clock.advance(350);
    expect(runs).toBe(3);
    s.stop();
    await clock.advance(1000);
    expect(runs).toBe(3);
  });

  it('reports errors and keeps the task alive', async () => {
    const clock = new FakeClock();
    const errors: string[] = [];
    const s = new Scheduler(clock, (name) => errors.push(name));
    let runs = 0;
    s.every('boom', 10, () => {
      runs++;
      throw new Error('x');
    });
    await clock.advance(35);
    expect(runs).toBe(3);
    expect(errors).toEqual(['boom', 'boom', 'boom']);
    s.stop();
  });

  it('cancels a single task and runs once-tasks once', async () => {
    const clock = new FakeClock();
    const s = new Scheduler(clock);
    let a = 0;
    let b = 0;
    const t = s.every('a', 10, () => {
      a++;
    });
    s.once('b', 15, () => {
      b++;
    });
    await clock.advance(25);
    t.cancel();
    await clock.advance(100);
    expect(a).toBe(2);
    expect(b).toBe(1);
  });
});
