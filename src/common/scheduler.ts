/**
 * Every periodic task of a component (registration, heartbeats, flush, cleanup, rebalance) goes
 * through one Scheduler, so that shutdown stops them all at once and tests can swap the clock.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface ScheduledTask {
  cancel(): void;
}

export class Scheduler {
  private readonly tasks = new Set<{ handle: unknown }>();
  private stopped = false;

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly onError: (name: string, err: unknown) => void = () => {},
  ) {}

  now(): number {
    return this.clock.now();
  }

  /**
   * Runs `fn` after `initialDelayMs`, then `periodMs` after each run finishes (fixed delay, as
   * RocketMQ's scheduleAtFixedRate effectively behaves for slow tasks): a run never overlaps the last.
   */
  every(name: string, periodMs: number, fn: () => unknown, initialDelayMs = periodMs): ScheduledTask {
    const slot = { handle: undefined as unknown };
    const run = async (): Promise<void> => {
      if (this.stopped || !this.tasks.has(slot)) return;
      try {
        await fn();
      } catch (err) {
        this.onError(name, err);
      }
      if (!this.stopped && this.tasks.has(slot)) slot.handle = this.clock.setTimeout(run, periodMs);
    };
    this.tasks.add(slot);
    slot.handle = this.clock.setTimeout(run, initialDelayMs);
    return { cancel: () => this.cancel(slot) };
  }

  /** Runs `fn` once after `delayMs`, unless the scheduler stops first. */
  once(name: string, delayMs: number, fn: () => unknown): ScheduledTask {
    const slot = { handle: undefined as unknown };
    this.tasks.add(slot);
    slot.handle = this.clock.setTimeout(async () => {
      this.tasks.delete(slot);
      if (this.stopped) return;
      try {
        await fn();
      } catch (err) {
        this.onError(name, err);
      }
    }, delayMs);
    return { cancel: () => this.cancel(slot) };
  }

  stop(): void {
    this.stopped = true;
    for (const slot of this.tasks) this.clock.clearTimeout(slot.handle);
    this.tasks.clear();
  }

  private cancel(slot: { handle: unknown }): void {
    if (this.tasks.delete(slot)) this.clock.clearTimeout(slot.handle);
  }
}
