/**
 * What the `cometmq bench ...` smoke tests share: one CometMQ NameServer and broker for a file (started
 * in beforeAll, killed by PID in afterAll) and a bounded run of the built CLI whose output is read
 * whole, since a benchmark's contract is its last stdout line (docs/benchmarks.md).
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import {
  COMETMQ_MAIN,
  type RunningProcess,
  startBroker,
  startNamesrv,
  tempDir,
} from '../helpers/cometmq-processes.js';

export interface BenchCluster {
  namesrv: RunningProcess;
  broker: RunningProcess;
}

/** A NameServer and a broker for the calling test file; the fields are set once beforeAll has run. */
export function useBenchCluster(dirPrefix: string): BenchCluster {
  const cluster = {} as BenchCluster;
  let dir: { path: string; remove(): Promise<void> } | undefined;
  beforeAll(async () => {
    dir = await tempDir(dirPrefix);
    cluster.namesrv = await startNamesrv();
    cluster.broker = await startBroker({ namesrvAddr: cluster.namesrv.addr, storePathRootDir: dir.path });
  });
  afterAll(async () => {
    await cluster.broker?.kill();
    await cluster.namesrv?.kill();
    await dir?.remove();
  });
  return cluster;
}

/**
 * Runs `cometmq bench <args>` to its end; rejects with its output when it exits non-zero or outlives
 * `timeoutMs`, then stopped with `timeoutSignal` (SIGTERM where the bench must clean up its own servers).
 */
export function runBenchCli(
  args: string[],
  timeoutMs: number,
  timeoutSignal: NodeJS.Signals = 'SIGKILL',
): Promise<{ out: string; err: string }> {
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
      if (p.pid !== undefined) process.kill(p.pid, timeoutSignal);
      reject(new Error(`bench ${args[0]} did not finish in ${timeoutMs} ms:\n${out}\n${err}`));
    }, timeoutMs);
    p.once('exit', (code) => {
      clearTimeout(t);
      if (code !== 0) reject(new Error(`bench ${args[0]} exited ${code}:\n${out}\n${err}`));
      else resolve({ out, err });
    });
  });
}

/** runBenchCli, and its last stdout line parsed as the benchmark's JSON result. */
export async function runBenchJson<T = Record<string, number>>(
  args: string[],
  timeoutMs = 60_000,
): Promise<T> {
  const { out } = await runBenchCli(args, timeoutMs);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as T;
}
