/**
 * `cometmq bench compare` end to end with tiny durations, against both targets: the JSON line's shape,
 * that every figure was measured (not a default zero), and that every server it started is gone and
 * its data folder removed afterwards. No speed is asserted.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultReferenceHome, referenceRunnable } from '../../bench/compare-processes.js';
import {
  machineStealMicros,
  ProcessCpuMeter,
  processCpuMicros,
  processPeakRssMiB,
  processRunQueueWaitMicros,
} from '../../bench/proc-cpu.js';
import { runBenchCli } from './bench-cli.js';

const whyNot = referenceRunnable(defaultReferenceHome());

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('proc-cpu', () => {
  it('reads utime+stime and peak RSS of a process from /proc', () => {
    const meter = new ProcessCpuMeter(process.pid);
    const before = processCpuMicros(process.pid)!;
    let x = 0;
    const end = Date.now() + 50;
    while (Date.now() < end) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    expect(processCpuMicros(process.pid)!).toBeGreaterThan(before);
    expect(meter.elapsedMicros()).toBeGreaterThan(0);
    expect(processPeakRssMiB(process.pid)).toBeGreaterThan(10);
    expect(processRunQueueWaitMicros(process.pid)).toBeGreaterThanOrEqual(0);
    expect(meter.waitMicros()).toBeGreaterThanOrEqual(0);
    expect(processCpuMicros(2 ** 22 + 1)).toBeUndefined();
  });

  it('reads the machine steal time from /proc/stat, never going backwards', () => {
    const a = machineStealMicros();
    expect(a).toBeGreaterThanOrEqual(0);
    expect(machineStealMicros()!).toBeGreaterThanOrEqual(a!);
  });
});

describe.skipIf(whyNot !== undefined)(`cometmq bench compare (${whyNot ?? 'reference runnable'})`, () => {
  it('runs the reference and CometMQ one after the other and prints one JSON line per case', async () => {
    const { out, err } = await runBenchCli(
      [
        'compare',
        '--duration',
        '1',
        '--warmup',
        '1',
        '--cases',
        'sync',
        '--settle',
        '0',
        '-w',
        '64',
        '--java-opt',
        '-Xms256m -Xmx256m -Xmn128m',
      ],
      55_000,
      'SIGTERM', // its handler kills the servers it started
    );
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const r = JSON.parse(lines[0]!);
    expect(r).toMatchObject({
      case: 'sync',
      run: 1,
      order: ['reference', 'cometmq'],
      flushDiskType: 'SYNC_FLUSH',
      size: 1024,
      window: 64,
      connections: 2,
      durationSec: 1,
      warmupSec: 1,
      cometmqBrokerArgs: [],
      cpus: expect.any(Number),
    });
    expect(r.loadAvgStart).toHaveLength(3);
    for (const target of ['reference', 'cometmq']) {
      const t = r[target];
      expect(t.produce.acked, target).toBeGreaterThan(0);
      expect(t.produce.msgsPerSec).toBeGreaterThan(0);
      expect(t.produce.p99Ms).toBeGreaterThanOrEqual(t.produce.p50Ms);
      expect(t.produce.brokerCpuUsPerMsg).toBeGreaterThan(0);
      expect(t.produce.brokerCores).toBeGreaterThan(0);
      expect(t.produce.brokerWaitCores).toBeGreaterThanOrEqual(0);
      expect(t.consume.brokerWaitCores).toBeGreaterThanOrEqual(0);
      expect(t.produce.generatorCpuUsPerMsg).toBeGreaterThan(0);
      expect(t.warmup.acked).toBeGreaterThan(0);
      // the consume phase reads exactly what the measured run produced
      expect(t.consume.received).toBe(t.produce.acked);
      expect(t.consume.msgsPerSec).toBeGreaterThan(0);
      expect(t.consume.brokerCpuUsPerMsg).toBeGreaterThan(0);
      // null only where /proc/stat has no steal column
      if (t.consume.stealCores !== null) expect(t.consume.stealCores).toBeGreaterThanOrEqual(0);
      expect(t.brokerPeakRssMiB).toBeGreaterThan(0);
    }
    expect(r.ratio.produceMsgsPerSec).toBeCloseTo(
      r.cometmq.produce.msgsPerSec / r.reference.produce.msgsPerSec,
      2,
    );
    expect(r.ratio.produceBrokerCpuUsPerMsg).toBeGreaterThan(0);
    expect(r.ratio.consumeMsgsPerSec).toBeGreaterThan(0);

    // every server it started is gone, and so is its data
    const started = [...err.matchAll(/namesrv pid (\d+) .*broker pid (\d+) .*data (\S+)/g)];
    expect(started).toHaveLength(2);
    for (const m of started) {
      expect(alive(Number(m[1]))).toBe(false);
      expect(alive(Number(m[2]))).toBe(false);
      expect(existsSync(m[3]!)).toBe(false);
    }
  }, 60_000);
});
