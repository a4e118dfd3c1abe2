/**
 * `cometmq bench ha` as a user runs it (the built CLI starting its own NameServer, master and slave
 * per role), with small counts: the JSON lines it prints and what they hold. No speed is asserted.
 */
import { describe, expect, it } from 'vitest';
import { lagMsAt } from '../../bench/ha-bench.js';
import { runBenchCli } from '../bench/bench-cli.js';

describe('bench ha', () => {
  it('lag in ms is how long ago the master stood where the slave stands (interpolated)', () => {
    const h = [
      { t: 0, max: 0 },
      { t: 100, max: 1000 },
      { t: 200, max: 3000 },
    ];
    expect(lagMsAt(h, 3000, 200)).toBe(0);
    expect(lagMsAt(h, 2000, 200)).toBe(50); // reached 2000 at t=150
    expect(lagMsAt(h, 500, 250)).toBe(200); // reached 500 at t=50
  });

  it('runs ASYNC_MASTER then SYNC_MASTER and prints one JSON line each, then the comparison', async () => {
    // SIGTERM on a timeout: the bench stops the servers it started
    const r = await runBenchCli(
      [
        ...['ha', '--duration', '1', '--size', '128', '--window', '32', '--sample-ms', '50', '--samples'],
        // no SYSTEM_BUSY on a loaded shared machine: the generator does not retry
        '--broker-arg=--brokerFastFailureEnable=false',
        '--broker-arg=--osPageCacheBusyTimeOutMills=10000',
      ],
      60_000,
      'SIGTERM',
    );
    const lines = r.out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const samples = lines.filter((l) => 'sample' in l);
    const results = lines.filter((l) => 'role' in l) as unknown as {
      role: string;
      producer: { acked: number; failures: number; size: number };
      samples: number;
      lagBytes: { avg: number; p99: number; max: number };
      lagMs: { avg: number; p99: number; max: number };
      catchUpMs: number;
      masterCommitLogBytes: number;
    }[];
    expect(results.map((x) => x.role)).toEqual(['ASYNC_MASTER', 'SYNC_MASTER']);
    for (const x of results) {
      expect(x.producer.acked).toBeGreaterThan(0);
      expect(x.producer.failures).toBe(0);
      expect(x.producer.size).toBe(128);
      expect(x.samples).toBeGreaterThan(0);
      expect(x.lagBytes.max).toBeGreaterThanOrEqual(x.lagBytes.p99);
      expect(x.lagMs.max).toBeGreaterThanOrEqual(0);
      expect(x.catchUpMs).toBeGreaterThanOrEqual(0);
      // every acknowledged message is in the CommitLog the slave caught up with
      expect(x.masterCommitLogBytes).toBeGreaterThan(x.producer.acked * 128);
    }
    expect(samples.length).toBeGreaterThan(0);
    const last = lines.at(-1) as { syncOverAsync?: number };
    expect(last.syncOverAsync).toBeGreaterThan(0);
  }, 90_000);
});
