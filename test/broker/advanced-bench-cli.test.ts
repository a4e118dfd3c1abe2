/**
 * Smoke test of `cometmq bench delay | orderly | transaction` against a real CometMQ NameServer and
 * broker: small counted runs end with one JSON line whose counts add up. No speed is asserted.
 */
import { describe, expect, it } from 'vitest';
import { runBenchJson, useBenchCluster } from '../bench/bench-cli.js';

const cluster = useBenchCluster('cometmq-adv-bench-');

type Json = Record<string, unknown>;

/** Runs `cometmq bench ...` against the cluster's NameServer; its JSON line. */
function bench(args: string[]): Promise<Json> {
  return runBenchJson<Json>([...args, '-n', cluster.namesrv.addr], 90_000);
}

describe('cometmq bench delay / orderly / transaction', () => {
  it('delay: every delayed message is delivered, none before it is due', async () => {
    const r = await bench(['delay', '-t', 'AdvBenchDelay', '-c', '500', '-s', '128']);
    expect(r).toMatchObject({ bench: 'delay', level: 1, count: 500, delivered: 500, sendFailures: 0 });
    expect(r.sendMsgsPerSec as number).toBeGreaterThan(0);
    // lag is receipt minus (born + 1 s): below zero would be an early delivery
    expect(r.lagP50Ms as number).toBeGreaterThanOrEqual(0);
    expect(r.lagP99Ms as number).toBeGreaterThanOrEqual(r.lagP50Ms as number);
  }, 120_000);

  it('orderly: both modes read every preloaded message, the orderly one in queue order', async () => {
    const r = await bench(['orderly', '-t', 'AdvBenchOrderly', '-c', '800', '-s', '128']);
    expect(r).toMatchObject({ bench: 'orderly', count: 800, queueNums: 8 });
    const conc = r.concurrent as Json;
    const ord = r.orderly as Json;
    expect(conc.received).toBe(800);
    expect(ord.received).toBe(800);
    expect(ord.orderInversions).toBe(0);
    expect(r.ratio as number).toBeGreaterThan(0);
  }, 120_000);

  it('transaction: every prepared message is committed and visible', async () => {
    const r = await bench(['transaction', '-t', 'AdvBenchTx', '-c', '500', '-s', '128']);
    expect(r).toMatchObject({ bench: 'transaction', count: 500, committed: 500, failures: 0 });
    expect(r.committedPerSec as number).toBeGreaterThan(0);
  }, 120_000);
});
