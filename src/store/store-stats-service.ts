import type { Scheduler } from '../common/scheduler.js';

const SAMPLE_PERIOD = 1000;
const KEEP = 601;

interface Sample {
  t: number;
  put: number;
  found: number;
  miss: number;
  transferred: number;
}

/** PUT_MESSAGE_ENTIRE_TIME_MAX_DESC: putMessageDistributeTime's ranges, each below its bound (ms). */
const DISTRIBUTE_DESC = [
  '[<=0ms]',
  '[0~10ms]',
  '[10~50ms]',
  '[50~100ms]',
  '[100~200ms]',
  '[200~500ms]',
  '[500ms~1s]',
  '[1~2s]',
  '[2~3s]',
  '[3~4s]',
  '[4~5s]',
  '[5~10s]',
  '[10s~]',
];
const DISTRIBUTE_BOUNDS = [1, 10, 50, 100, 200, 500, 1000, 2000, 3000, 4000, 5000, 10000, Infinity];

/** PUT_MESSAGE_ENTIRE_TIME_BUCKETS (step: count): the upper bounds of putLatency99/999's buckets. */
const LATENCY_BOUNDS: number[] = (() => {
  const out: number[] = [];
  let at = 0;
  for (const [step, n] of [
    [1, 20],
    [2, 15],
    [5, 10],
    [10, 10],
    [50, 6],
    [100, 5],
    [1000, 9],
  ] as const) {
    for (let i = 0; i < n; i++) {
      at += step;
      out.push(at);
    }
  }
  out.push(Number.MAX_SAFE_INTEGER);
  return out;
})();

/** findPutMessageEntireTimePX: the px latency (ms), interpolated inside its bucket as 4.9.8 does. */
export function latencyPercentile(counts: readonly number[], px: number): number {
  let total = 0;
  for (const c of counts) total += c;
  const pxIndex = Math.floor(total * px);
  let pass = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    if (pxIndex <= pass + count) {
      const rel = pxIndex - pass;
      if (i === 0) return count === 0 ? 0 : (LATENCY_BOUNDS[0]! * rel) / count;
      const low = LATENCY_BOUNDS[i - 1]!;
      return low + (count === 0 ? 0 : ((LATENCY_BOUNDS[i]! - low) * rel) / count);
    }
    pass += count;
  }
  return 0;
}

/** Counters behind GET_BROKER_RUNTIME_INFO's store figures (store/StoreStatsService.java). */
export class StoreStatsService {
  putMessageTimesTotal = 0;
  putMessageSizeTotal = 0;
  putMessageFailedTimes = 0;
  getMessageTimesTotalFound = 0;
  getMessageTimesTotalMiss = 0;
  getMessageTransferedMsgCount = 0;
  putMessageEntireTimeMax = 0;
  getMessageEntireTimeMax = 0;
  private readonly samples: Sample[] = [];
  readonly bootTimestamp: number;
  /**
   * Put latencies (put call to answer) of this minute and of the last whole one, as 4.9.8 keeps them:
   * putMessageDistributeTime and putLatency99/999 read the last minute ("null" / 0 before the first).
   */
  private distribute = new Array<number>(DISTRIBUTE_BOUNDS.length).fill(0);
  private lastDistribute: number[] | undefined;
  private latency = new Array<number>(LATENCY_BOUNDS.length).fill(0);
  private lastLatency: number[] = [];
  private minuteStart: number;

  constructor(private readonly scheduler: Scheduler) {
    this.bootTimestamp = scheduler.now();
    this.minuteStart = this.bootTimestamp;
  }

  /**
   * setPutMessageEntireTimeMax for `count` puts answered `elapsedMs` after the first of them was made
   * (the store measures a write batch, not each message: one clock read per batch).
   */
  recordPutLatency(count: number, elapsedMs: number): void {
    const v = Math.max(0, elapsedMs);
    let d = 0;
    while (v >= DISTRIBUTE_BOUNDS[d]!) d++;
    this.distribute[d]! += count;
    let l = 0;
    while (v > LATENCY_BOUNDS[l]!) l++;
    this.latency[l]! += count;
    if (v > this.putMessageEntireTimeMax) this.putMessageEntireTimeMax = v;
  }

  start(): void {
    this.sample();
    this.scheduler.every('store-stats', SAMPLE_PERIOD, () => this.sample());
  }

  private sample(): void {
    this.samples.push({
      t: this.scheduler.now(),
      put: this.putMessageTimesTotal,
      found: this.getMessageTimesTotalFound,
      miss: this.getMessageTimesTotalMiss,
      transferred: this.getMessageTransferedMsgCount,
    });
    if (this.samples.length > KEEP) this.samples.shift();
    const now = this.scheduler.now();
    if (now - this.minuteStart >= 60_000) {
      // printTps: the minute's figures become the reported ones, counting starts again
      this.minuteStart = now;
      this.lastDistribute = this.distribute;
      this.distribute = new Array<number>(DISTRIBUTE_BOUNDS.length).fill(0);
      this.lastLatency = this.latency;
      this.latency = new Array<number>(LATENCY_BOUNDS.length).fill(0);
    }
  }

  /** Rates over the last `seconds` (or as much as is sampled), RocketMQ's "%.2f" style. */
  private tps(seconds: number, pick: (s: Sample) => number): string {
    const last = this.samples[this.samples.length - 1];
    if (!last) return '0.00';
    let first = last;
    for (let i = this.samples.length - 1; i >= 0; i--) {
      first = this.samples[i]!;
      if (last.t - first.t >= seconds * 1000) break;
    }
    const dt = (last.t - first.t) / 1000;
    return dt > 0 ? ((pick(last) - pick(first)) / dt).toFixed(2) : '0.00';
  }

  private tps3(pick: (s: Sample) => number): string {
    return `${this.tps(10, pick)} ${this.tps(60, pick)} ${this.tps(600, pick)}`;
  }

  getRuntimeInfo(): Record<string, string> {
    const total = this.putMessageTimesTotal;
    return {
      bootTimestamp: String(this.bootTimestamp),
      runtime: `[ ${Math.floor((this.scheduler.now() - this.bootTimestamp) / 1000)} s ]`,
      putMessageEntireTimeMax: String(this.putMessageEntireTimeMax),
      putMessageTimesTotal: String(total),
      putMessageFailedTimes: String(this.putMessageFailedTimes),
      putMessageSizeTotal: String(this.putMessageSizeTotal),
      putMessageAverageSize: String(total > 0 ? this.putMessageSizeTotal / total : 0),
      putMessageDistributeTime: this.lastDistribute
        ? this.lastDistribute.map((n, i) => `${DISTRIBUTE_DESC[i]}:${n} `).join('')
        : 'null',
      // 4.9.8 keeps the field but nothing ever raises it
      dispatchMaxBuffer: '0',
      getMessageEntireTimeMax: String(this.getMessageEntireTimeMax),
      putTps: this.tps3((s) => s.put),
      getFoundTps: this.tps3((s) => s.found),
      getMissTps: this.tps3((s) => s.miss),
      getTotalTps: this.tps3((s) => s.found + s.miss),
      getTransferedTps: this.tps3((s) => s.transferred),
      putLatency99: latencyPercentile(this.lastLatency, 0.99).toFixed(2),
      putLatency999: latencyPercentile(this.lastLatency, 0.999).toFixed(2),
    };
  }
}
