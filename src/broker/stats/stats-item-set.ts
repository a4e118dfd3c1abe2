import { StatsItem, type StatsSnapshot } from './stats-item.js';

const EMPTY: Readonly<StatsSnapshot> = Object.freeze({ sum: 0, tps: 0, avgpt: 0, times: 0 });

/**
 * StatsItemSet of RocketMQ 4.9.8: one stats name's items by key, created on first use and sampled
 * together. The owner (BrokerStatsManager) drives the sampling; RocketMQ's per-set executors run the
 * same three periods.
 */
export class StatsItemSet {
  private readonly statsItemTable = new Map<string, StatsItem>();

  constructor(readonly statsName: string) {}

  get size(): number {
    return this.statsItemTable.size;
  }

  addValue(statsKey: string, incValue: number, incTimes: number): void {
    this.getAndCreateStatsItem(statsKey).add(incValue, incTimes);
  }

  getAndCreateStatsItem(statsKey: string): StatsItem {
    let item = this.statsItemTable.get(statsKey);
    if (item === undefined) {
      item = new StatsItem(this.statsName, statsKey);
      this.statsItemTable.set(statsKey, item);
    }
    return item;
  }

  getStatsItem(statsKey: string): StatsItem | undefined {
    return this.statsItemTable.get(statsKey);
  }

  getStatsDataInMinute(statsKey: string): StatsSnapshot {
    return this.statsItemTable.get(statsKey)?.getStatsDataInMinute() ?? { ...EMPTY };
  }

  getStatsDataInHour(statsKey: string): StatsSnapshot {
    return this.statsItemTable.get(statsKey)?.getStatsDataInHour() ?? { ...EMPTY };
  }

  getStatsDataInDay(statsKey: string): StatsSnapshot {
    return this.statsItemTable.get(statsKey)?.getStatsDataInDay() ?? { ...EMPTY };
  }

  samplingInSeconds(now: number): void {
    for (const item of this.statsItemTable.values()) item.samplingInSeconds(now);
  }

  samplingInMinutes(now: number): void {
    for (const item of this.statsItemTable.values()) item.samplingInMinutes(now);
  }

  samplingInHour(now: number): void {
    for (const item of this.statsItemTable.values()) item.samplingInHour(now);
  }

  delValue(statsKey: string): void {
    this.statsItemTable.delete(statsKey);
  }

  /** Keys starting with `statsKey + separator` (a topic's `topic@group` items). */
  delValueByPrefixKey(statsKey: string, separator: string): void {
    const prefix = statsKey + separator;
    for (const key of this.statsItemTable.keys()) if (key.startsWith(prefix)) this.statsItemTable.delete(key);
  }

  /** Keys containing `separator + statsKey + separator` (a topic's `queueId@topic@group` items). */
  delValueByInfixKey(statsKey: string, separator: string): void {
    const infix = separator + statsKey + separator;
    for (const key of this.statsItemTable.keys()) if (key.includes(infix)) this.statsItemTable.delete(key);
  }

  /** Keys ending with `separator + statsKey` (a group's items). */
  delValueBySuffixKey(statsKey: string, separator: string): void {
    const suffix = separator + statsKey;
    for (const key of this.statsItemTable.keys()) if (key.endsWith(suffix)) this.statsItemTable.delete(key);
  }
}
