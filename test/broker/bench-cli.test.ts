/** `cometmq bench producer / consumer` with small counted runs against real processes; no speed is asserted. */
import { describe, expect, it } from 'vitest';
import { runBenchJson, useBenchCluster } from '../bench/bench-cli.js';

const cluster = useBenchCluster('cometmq-bench-cli-');

describe('cometmq bench producer / consumer', () => {
  it('sends a counted run, then consumes it, each ending with one JSON line', async () => {
    const p = await runBenchJson([
      'producer',
      '-n',
      cluster.namesrv.addr,
      '-t',
      'BenchCliT',
      '-s',
      '256',
      '-w',
      '32',
      '-c',
      '2000',
    ]);
    expect(p).toMatchObject({ acked: 2000, sent: 2000, failures: 0, size: 256, window: 32 });
    for (const k of ['msgsPerSec', 'p50Ms', 'p99Ms', 'maxMs']) expect(p[k]).toBeGreaterThanOrEqual(0);
    expect(p.msgsPerSec).toBeGreaterThan(0);
    expect(p.p99Ms).toBeGreaterThanOrEqual(p.p50Ms!);
    const c = await runBenchJson([
      'consumer',
      '-n',
      cluster.namesrv.addr,
      '-t',
      'BenchCliT',
      '-g',
      'G_BENCH',
      '--from',
      'first',
      '-c',
      '2000',
    ]);
    expect(c.received).toBeGreaterThanOrEqual(2000);
    expect(c.failures).toBe(0);
    expect(c.msgsPerSec).toBeGreaterThan(0);
    expect(c.p99Ms).toBeGreaterThanOrEqual(c.p50Ms!);
  });

  it('refuses bad flags naming them', async () => {
    await expect(
      runBenchJson(['producer', '-n', cluster.namesrv.addr, '-t', 'BenchCliT', '-w', 'lots']),
    ).rejects.toThrow(/--window/);
    await expect(
      runBenchJson(['consumer', '-n', cluster.namesrv.addr, '-t', 'BenchCliT', '--from', 'middle']),
    ).rejects.toThrow(/--from/);
  });
});
