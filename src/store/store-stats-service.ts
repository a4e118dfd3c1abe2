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

  constructor(private readonly scheduler: Scheduler) {
    this.bootTimestamp = scheduler.now();
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
      getMessageEntireTimeMax: String(this.getMessageEntireTimeMax),
      putTps: this.tps3((s) => s.put),
      getFoundTps: this.tps3((s) => s.found),
      getMissTps: this.tps3((s) => s.miss),
      getTotalTps: this.tps3((s) => s.found + s.miss),
      getTransferedTps: this.tps3((s) => s.transferred),
    };
  }
}
