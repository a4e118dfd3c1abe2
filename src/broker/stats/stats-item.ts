/**
 * StatsItem of RocketMQ 4.9.8 (common/stats): a running value and a running call count, plus three
 * windows of samples of both. The minute window keeps 7 samples taken every 10 s (one minute between
 * its first and last), the hour window 7 taken every 10 min, the day window 25 taken every hour. A
 * window's figures come from its first and last samples only: sum = value difference, tps = sum per
 * second between their timestamps, avgpt = sum per call.
 */

/** StatsSnapshot: what one window says. */
export interface StatsSnapshot {
  sum: number;
  tps: number;
  avgpt: number;
  times: number;
}

/** CallSnapshot: one sample (timestamp, running times, running value). */
interface CallSnapshot {
  readonly timestamp: number;
  readonly times: number;
  readonly value: number;
}

const SECOND_WINDOW_SIZE = 7;
const MINUTE_WINDOW_SIZE = 7;
const HOUR_WINDOW_SIZE = 25;
export const SAMPLE_IN_SECONDS_MS = 10_000;
export const SAMPLE_IN_MINUTES_MS = 10 * 60_000;
export const SAMPLE_IN_HOUR_MS = 60 * 60_000;

export class StatsItem {
  /** Running totals (Java's LongAdders); the hot path adds to them directly. */
  value = 0;
  times = 0;
  private readonly csListMinute: CallSnapshot[] = [];
  private readonly csListHour: CallSnapshot[] = [];
  private readonly csListDay: CallSnapshot[] = [];

  constructor(
    readonly statsName: string,
    readonly statsKey: string,
  ) {}

  /** getValue().add(incValue); getTimes().add(incTimes). */
  add(incValue: number, incTimes: number): void {
    this.value += incValue;
    this.times += incTimes;
  }

  getStatsDataInMinute(): StatsSnapshot {
    return computeStatsData(this.csListMinute);
  }

  getStatsDataInHour(): StatsSnapshot {
    return computeStatsData(this.csListHour);
  }

  getStatsDataInDay(): StatsSnapshot {
    return computeStatsData(this.csListDay);
  }

  samplingInSeconds(now: number): void {
    this.sample(this.csListMinute, now, SAMPLE_IN_SECONDS_MS, SECOND_WINDOW_SIZE);
  }

  samplingInMinutes(now: number): void {
    this.sample(this.csListHour, now, SAMPLE_IN_MINUTES_MS, MINUTE_WINDOW_SIZE);
  }

  samplingInHour(now: number): void {
    this.sample(this.csListDay, now, SAMPLE_IN_HOUR_MS, HOUR_WINDOW_SIZE);
  }

  /**
   * As StatsItem.samplingIn*: the first sample of a window is preceded by a zero sample one period
   * earlier, so an item's first window already counts everything added before it.
   */
  private sample(list: CallSnapshot[], now: number, periodMs: number, size: number): void {
    if (list.length === 0) list.push({ timestamp: now - periodMs, times: 0, value: 0 });
    list.push({ timestamp: now, times: this.times, value: this.value });
    if (list.length > size) list.shift();
  }
}

/** StatsItem.computeStatsData: the window's first and last samples (zeros when it has none). */
function computeStatsData(list: readonly CallSnapshot[]): StatsSnapshot {
  if (list.length === 0) return { sum: 0, tps: 0, avgpt: 0, times: 0 };
  const first = list[0]!;
  const last = list[list.length - 1]!;
  const sum = last.value - first.value;
  // Java's double division: two samples in the same millisecond give NaN or Infinity
  const tps = (sum * 1000) / (last.timestamp - first.timestamp);
  const times = last.times - first.times;
  return { sum, tps, avgpt: times > 0 ? sum / times : 0, times };
}
