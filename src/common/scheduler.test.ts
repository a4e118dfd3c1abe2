import { describe, expect, it } from 'vitest';
import { Scheduler } from './scheduler.js';
import { FakeClock } from './testing/fake-clock.js';

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
