/** `cometmq bench timer` with tiny counts against real processes: it ends with one JSON line (no speed assertions). */
import { describe, expect, it } from 'vitest';
import { runBenchJson, useBenchCluster } from '../bench/bench-cli.js';

const cluster = useBenchCluster('cometmq-timer-bench-');

describe('cometmq bench timer', () => {
  it('delivers a small run of timers, none early, and reports the lag', async () => {
    const r = await runBenchJson([
      'timer',
      '-n',
      cluster.namesrv.addr,
      '--count',
      '300',
      '--window-secs',
      '1',
      '--lead-secs',
      '3',
      '--inflight',
      '16',
      '--broker-pid',
      String(cluster.broker.proc.pid),
    ]);
    expect(r.bench).toBe('timer');
    expect(r.delivered).toBe(300);
    expect(r.sendFailures).toBe(0);
    expect(r.early).toBe(0);
    expect(r.brokerEarly).toBe(0);
    expect(r.lagP99Ms).toBeGreaterThanOrEqual(r.lagP50Ms);
    expect(r.brokerRssMaxMiB).toBeGreaterThan(0);
  }, 90_000);

  it('--pending-only sends timers due later and reports the RSS they cost', async () => {
    const r = await runBenchJson([
      'timer',
      '-n',
      cluster.namesrv.addr,
      '--count',
      '200',
      '--pending-only',
      '--lead-secs',
      '3600',
      '--broker-pid',
      String(cluster.broker.proc.pid),
    ]);
    expect(r.delivered).toBe(0);
    expect(r.brokerRssPendingMiB).toBeGreaterThan(0);
  }, 90_000);
});
