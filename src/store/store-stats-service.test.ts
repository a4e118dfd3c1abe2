import { describe, expect, it } from 'vitest';
import { Scheduler } from '../common/scheduler.js';
import { latencyPercentile, StoreStatsService } from './store-stats-service.js';
import { ManualClock } from './testing/store-fixture.js';

describe('StoreStatsService put latency (4.9.8 putMessageDistributeTime, putLatency99/999)', () => {
  it('reports nothing before the first whole minute, then that minute', () => {
    const clock = new ManualClock();
    const stats = new StoreStatsService(new Scheduler(clock));
    stats.recordPutLatency(98, 0);
    stats.recordPutLatency(1, 12);
    stats.recordPutLatency(1, 2500);
    let info = stats.getRuntimeInfo();
    expect(info.putMessageDistributeTime).toBe('null');
    expect(info.putLatency99).toBe('0.00');
    expect(info.dispatchMaxBuffer).toBe('0');
    expect(info.putMessageEntireTimeMax).toBe('2500');

    clock.t += 60_000;
    stats.start(); // samples at once: the minute rolls over
    info = stats.getRuntimeInfo();
    expect(info.putMessageDistributeTime).toBe(
      '[<=0ms]:98 [0~10ms]:0 [10~50ms]:1 [50~100ms]:0 [100~200ms]:0 [200~500ms]:0 [500ms~1s]:0 [1~2s]:0 [2~3s]:1 [3~4s]:0 [4~5s]:0 [5~10s]:0 [10s~]:0 ',
    );
    // the 99th of 100 puts is the one of 12 ms: its bucket is (11, 12]
    expect(info.putLatency99).toBe('12.00');
    expect(info.putLatency999).toBe('12.00');
  });

  it('interpolates inside the first bucket as findPutMessageEntireTimePX does', () => {
    const counts = new Array<number>(80).fill(0);
    expect(latencyPercentile(counts, 0.99)).toBe(0);
    counts[0] = 1000;
    expect(latencyPercentile(counts, 0.99)).toBeCloseTo(0.99);
    expect(latencyPercentile(counts, 0.999)).toBeCloseTo(0.999);
  });
});
