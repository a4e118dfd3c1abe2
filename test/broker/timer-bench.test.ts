/** `cometmq bench timer` with tiny counts against real processes: it ends with one JSON line (no speed assertions). */
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
  dir = await tempDir('cometmq-timer-bench-');
  namesrv = await startNamesrv();
  broker = await startBroker({ namesrvAddr: namesrv.addr, storePathRootDir: dir.path });
});

afterAll(async () => {
  await broker?.kill();
  await namesrv?.kill();
  await dir?.remove();
});

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
      reject(new Error(`bench timer did not finish:\n${out}\n${err}`));
    }, 60_000);
    p.once('exit', (code) => {
      clearTimeout(t);
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`bench timer exited ${code}:\n${out}\n${err}`));
      else resolve(JSON.parse(last) as Record<string, number>);
    });
  });
}

describe('cometmq bench timer', () => {
  it('delivers a small run of timers, none early, and reports the lag', async () => {
    const r = await bench([
      'timer',
      '-n',
      namesrv.addr,
      '--count',
      '300',
      '--window-secs',
      '1',
      '--lead-secs',
      '3',
      '--inflight',
      '16',
      '--broker-pid',
      String(broker.proc.pid),
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
    const r = await bench([
      'timer',
      '-n',
      namesrv.addr,
      '--count',
      '200',
      '--pending-only',
      '--lead-secs',
      '3600',
      '--broker-pid',
      String(broker.proc.pid),
    ]);
    expect(r.delivered).toBe(0);
    expect(r.brokerRssPendingMiB).toBeGreaterThan(0);
  }, 90_000);
});
