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
  dir = await tempDir('cometmq-bench-cli-');
  namesrv = await startNamesrv();
  broker = await startBroker({ namesrvAddr: namesrv.addr, storePathRootDir: dir.path });
});

afterAll(async () => {
  await broker?.kill();
  await namesrv?.kill();
  await dir?.remove();
});

/** Runs `cometmq bench ...` to completion (bounded) and returns its last stdout line as JSON. */
function bench(args: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [COMETMQ_MAIN, 'bench', ...args], {
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
    }, 60_000);
    p.once('exit', (code) => {
      clearTimeout(t);
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`bench ${args[0]} exited ${code}:\n${out}\n${err}`));
      else resolve(JSON.parse(last) as Record<string, number>);
    });
  });
}

describe('cometmq bench producer / consumer', () => {
  it('sends a counted run, then consumes it, each ending with one JSON line', async () => {
    const p = await bench([
      'producer',
      '-n',
      namesrv.addr,
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
    const c = await bench([
      'consumer',
      '-n',
      namesrv.addr,
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
    await expect(bench(['producer', '-n', namesrv.addr, '-t', 'BenchCliT', '-w', 'lots'])).rejects.toThrow(
      /--window/,
    );
    await expect(
      bench(['consumer', '-n', namesrv.addr, '-t', 'BenchCliT', '--from', 'middle']),
    ).rejects.toThrow(/--from/);
  });
});
