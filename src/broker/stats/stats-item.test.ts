import { describe, expect, it } from 'vitest';
import { StatsItem } from './stats-item.js';
import { StatsItemSet } from './stats-item-set.js';

describe('StatsItem windows (RocketMQ 4.9.8 StatsItem.computeStatsData)', () => {
  it('is all zeros before its first sample', () => {
    const item = new StatsItem('TOPIC_PUT_NUMS', 'T');
    item.add(5, 1);
    for (const s of [item.getStatsDataInMinute(), item.getStatsDataInHour(), item.getStatsDataInDay()])
      expect(s).toEqual({ sum: 0, tps: 0, avgpt: 0, times: 0 });
  });

  it('minute window: 7 samples 10 s apart, the first preceded by a zero sample', () => {
    const item = new StatsItem('TOPIC_PUT_NUMS', 'T');
    item.add(5, 1);
    item.add(3, 1);
    item.samplingInSeconds(100_000);
    // [(90 000, 0, 0), (100 000, 2, 8)]
    expect(item.getStatsDataInMinute()).toEqual({ sum: 8, tps: 0.8, avgpt: 4, times: 2 });
    item.add(12, 3);
    item.samplingInSeconds(110_000);
    expect(item.getStatsDataInMinute()).toEqual({ sum: 20, tps: 1, avgpt: 4, times: 5 });
    for (let t = 120_000; t <= 160_000; t += 10_000) item.samplingInSeconds(t);
    // seven kept: 100 000 .. 160 000
    expect(item.getStatsDataInMinute()).toEqual({ sum: 12, tps: 0.2, avgpt: 4, times: 3 });
    item.samplingInSeconds(170_000);
    // 110 000 .. 170 000: nothing added in between
    expect(item.getStatsDataInMinute()).toEqual({ sum: 0, tps: 0, avgpt: 0, times: 0 });
    // the other windows were never sampled
    expect(item.getStatsDataInHour().sum).toBe(0);
    expect(item.getStatsDataInDay().sum).toBe(0);
  });

  it('hour window: 10 min samples, 7 kept; day window: hourly samples, 25 kept', () => {
    const item = new StatsItem('GROUP_GET_NUMS', 'T@G');
    item.add(60, 6);
    item.samplingInMinutes(600_000);
    item.samplingInHour(3_600_000);
    expect(item.getStatsDataInHour()).toEqual({ sum: 60, tps: 0.1, avgpt: 10, times: 6 });
    expect(item.getStatsDataInDay()).toEqual({ sum: 60, tps: 60_000 / 3_600_000, avgpt: 10, times: 6 });
    for (let i = 2; i <= 7; i++) {
      item.add(60, 1);
      item.samplingInMinutes(i * 600_000);
    }
    // 7 kept of 8: (600 000, 6, 60) .. (4 200 000, 12, 420)
    expect(item.getStatsDataInHour()).toEqual({ sum: 360, tps: 0.1, avgpt: 60, times: 6 });
    for (let h = 2; h <= 25; h++) item.samplingInHour(h * 3_600_000);
    // 25 kept of 26: the zero sample is gone, the first real one (at 1 h, value 60) stays
    const day = item.getStatsDataInDay();
    expect(day.sum).toBe(420 - 60);
    expect(day.tps).toBeCloseTo((360 * 1000) / (24 * 3_600_000), 12);
    item.samplingInHour(26 * 3_600_000);
    expect(item.getStatsDataInDay().sum).toBe(0);
  });

  it('two samples in the same millisecond divide by zero as Java does (NaN tps)', () => {
    const set = new StatsItemSet('X');
    set.addValue('k', 0, 0);
    const item = set.getStatsItem('k')!;
    item.samplingInSeconds(5000);
    for (let i = 0; i < 7; i++) item.samplingInSeconds(5000);
    expect(Number.isNaN(item.getStatsDataInMinute().tps)).toBe(true);
  });
});

describe('StatsItemSet', () => {
  it('creates items on first use and samples them together', () => {
    const set = new StatsItemSet('GROUP_GET_NUMS');
    set.addValue('T@G', 4, 1);
    set.addValue('T@G', 6, 1);
    set.addValue('U@G', 1, 1);
    expect(set.getStatsItem('nope')).toBeUndefined();
    expect(set.getStatsDataInMinute('T@G').sum).toBe(0);
    set.samplingInSeconds(10_000);
    expect(set.getStatsDataInMinute('T@G')).toEqual({ sum: 10, tps: 1, avgpt: 5, times: 2 });
    expect(set.getStatsDataInMinute('U@G').sum).toBe(1);
    expect(set.getStatsDataInMinute('nope')).toEqual({ sum: 0, tps: 0, avgpt: 0, times: 0 });
  });

  it('deletes by key, prefix, infix and suffix', () => {
    const set = new StatsItemSet('S');
    for (const k of ['T', 'T@G', 'T@H', 'TT@G', '1@T@G', '1@U@G', 'U@G', 'U@GG']) set.addValue(k, 1, 1);
    set.delValue('T');
    set.delValueByPrefixKey('T', '@');
    expect(['T', 'T@G', 'T@H', 'TT@G'].map((k) => set.getStatsItem(k) !== undefined)).toEqual([
      false,
      false,
      false,
      true,
    ]);
    set.delValueByInfixKey('T', '@');
    expect(set.getStatsItem('1@T@G')).toBeUndefined();
    expect(set.getStatsItem('1@U@G')).toBeDefined();
    set.delValueBySuffixKey('G', '@');
    expect(set.getStatsItem('U@G')).toBeUndefined();
    expect(set.getStatsItem('1@U@G')).toBeUndefined();
    expect(set.getStatsItem('U@GG')).toBeDefined();
  });
});
