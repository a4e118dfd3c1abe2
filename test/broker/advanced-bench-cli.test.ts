/**
 * Smoke test of `cometmq bench delay | orderly | transaction` against a real CometMQ NameServer and
 * broker: small counted runs end with one JSON line whose counts add up. No speed is asserted.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMETMQ_MAIN,
  type RunningProcess,
  startBroker,
  startNamesrv,
  tempDir,
} from '../helpers/cometmq-processes.js';

let namesrv: RunningProcess;
let broker: RunningProcess;
let dir: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  dir = await tempDir('cometmq-adv-bench-');
  namesrv = await startNamesrv();
  broker = await startBroker({ namesrvAddr: namesrv.addr, storePathRootDir: dir.path });
});

afterAll(async () => {
  await broker?.kill();
  await namesrv?.kill();
  await dir?.remove();
});

type Json = Record<string, unknown>;

/** Runs `cometmq bench ...` to completion (bounded) and returns its last stdout line as JSON. */
function bench(args: string[]): Promise<Json> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [COMETMQ_MAIN, 'bench', ...args, '-n', namesrv.addr], {
      env: { ...process.env, COMETMQ_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const t = setTimeout(() => {
      if (p.pid !== undefined) process.kill(p.pid, 'SIGKILL');
      reject(new Error(`bench ${args[0]} did not finish:\n${out}\n${err}`));
    }, 90_000);
    p.once('exit', (code) => {
      clearTimeout(t);
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`bench ${args[0]} exited ${code}:\n${out}\n${err}`));
      else resolve(JSON.parse(last) as Json);
    });
  });
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
