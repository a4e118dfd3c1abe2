/**
 * `cometmq bench ha`: replication under the producer benchmark's load. For each master role it starts
 * a NameServer, a master and a SLAVE as real `cometmq` processes (fresh folders), waits for the HA
 * link, drives the light producer generator (bench/producer-bench.ts) for a duration and samples the
 * master's GET_BROKER_RUNTIME_INFO: commitLogMaxOffset against haPush2SlaveMaxOffset (what the slave
 * acknowledged) gives the lag in bytes; the time since the master's CommitLog stood where the slave
 * now stands (interpolated between samples) gives the lag in ms. Prints one JSON line per role and
 * a final comparison line (SYNC_MASTER throughput against ASYNC_MASTER).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BROKER_NODE_FLAGS } from '../src/cli/node-flags.js';
import { decodeKVTable } from '../src/remoting/protocol/body/kv-table.js';
import { RemotingClient } from '../src/remoting/remoting-client.js';
import { RemotingCommand } from '../src/remoting/remoting-command.js';
import { RequestCode } from '../src/remoting/request-code.js';
import { ResponseCode } from '../src/remoting/response-code.js';
import { round } from './bench-support.js';
import { type ProducerBenchResult, runProducerBench } from './producer-bench.js';

export type HaBenchRole = 'SYNC_MASTER' | 'ASYNC_MASTER';

export interface HaBenchOptions {
  roles: HaBenchRole[];
  durationSec: number;
  /** body size in bytes */
  size: number;
  window: number;
  connections: number;
  queueNums: number;
  /** ms between two samples of the master's runtime info */
  sampleMs: number;
  /** extra broker.conf flags for master and slave, e.g. --flushDiskType=SYNC_FLUSH */
  brokerArgs: string[];
  /** print every sample as a JSON line too */
  printSamples: boolean;
  /** the `cometmq` entry point the processes run (default: dist/src/cli/main.js of this build) */
  cometmqMain?: string;
  /** where each JSON line goes (default stdout) */
  out?: (line: string) => void;
}

export interface LagStats {
  avg: number;
  p50: number;
  p99: number;
  max: number;
}

export interface HaBenchRoleResult {
  role: HaBenchRole;
  producer: ProducerBenchResult;
  samples: number;
  lagBytes: LagStats;
  lagMs: LagStats;
  /** ms from the end of the load until the slave acknowledged the master's last byte */
  catchUpMs: number;
  masterCommitLogBytes: number;
  /** CPU of the broker processes over the load, % of one core (Linux /proc; -1 elsewhere) */
  masterCpuPct: number;
  slaveCpuPct: number;
  /** the same per acknowledged message, in microseconds (the steadier figure on a shared machine) */
  masterCpuUsPerMsg: number;
  slaveCpuUsPerMsg: number;
}

export interface HaBenchSample {
  role: HaBenchRole;
  t: number;
  masterMax: number;
  slaveAck: number;
  lagBytes: number;
  lagMs: number;
}

function defaultMain(): string {
  const beside = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  if (existsSync(beside)) return beside;
  // run from the sources (vitest, tsx): the built CLI
  return fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
}

interface Proc {
  proc: ChildProcess;
  addr: string;
  stop(): Promise<void>;
}

function startProcess(main: string, args: string[], ready: RegExp, what: string): Promise<Proc> {
  // node's flags as the `cometmq` executable passes them
  const proc = spawn(process.execPath, [...BROKER_NODE_FLAGS, main, ...args], {
    env: { ...process.env, COMETMQ_LOG_LEVEL: process.env.COMETMQ_LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const alive = (): boolean => proc.exitCode === null && proc.signalCode === null;
  const stop = async (): Promise<void> => {
    if (!alive() || proc.pid === undefined) return;
    process.kill(proc.pid, 'SIGTERM');
    const t = setTimeout(
      () => alive() && proc.pid !== undefined && process.kill(proc.pid, 'SIGKILL'),
      10_000,
    );
    await exited;
    clearTimeout(t);
  };
  let out = '';
  return new Promise<Proc>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${what} did not start in 30 s:\n${out.slice(-2000)}`));
    }, 30_000);
    const onData = (d: Buffer): void => {
      if (out.length < 100_000) out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        proc.stdout!.resume();
        resolve({ proc, addr: m[1]!, stop });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => {
      if (out.length < 100_000) out += d.toString();
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${out.slice(-2000)}`));
    });
  });
}

/** utime + stime of a process in ms (Linux), -1 when unknown. */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return -1;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11], fields[12]: utime, stime in clock ticks (100 per second on Linux)
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return -1;
  }
}

function stats(values: number[]): LagStats {
  if (values.length === 0) return { avg: 0, p50: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return {
    avg: round(values.reduce((s, v) => s + v, 0) / values.length),
    p50: round(at(50)),
    p99: round(at(99)),
    max: round(sorted[sorted.length - 1]!),
  };
}

async function runtimeInfo(client: RemotingClient, addr: string): Promise<Map<string, string>> {
  const r = await client.invokeSync(addr, RemotingCommand.request(RequestCode.GET_BROKER_RUNTIME_INFO), 5000);
  if (r.code !== ResponseCode.SUCCESS || !r.body) throw new Error(`GET_BROKER_RUNTIME_INFO: ${r.remark}`);
  return new Map(Object.entries(decodeKVTable(r.body).table));
}

/**
 * Lag in ms of a slave at `ack` at time `t`: how long ago the master's CommitLog stood at `ack`,
 * interpolated between the samples of the master's max offset (0 when the slave has everything).
 */
export function lagMsAt(history: { t: number; max: number }[], ack: number, t: number): number {
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i]!;
    if (h.max <= ack) {
      const next = history[i + 1];
      if (!next) return 0;
      const reachedAt = h.t + ((ack - h.max) / Math.max(1, next.max - h.max)) * (next.t - h.t);
      return Math.max(0, t - reachedAt);
    }
  }
  return history.length > 0 ? t - history[0]!.t : 0;
}

async function waitUntil(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await fn().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function runRole(
  role: HaBenchRole,
  o: HaBenchOptions,
  emit: (line: string) => void,
): Promise<HaBenchRoleResult> {
  const main = o.cometmqMain ?? defaultMain();
  const dirs = [
    await mkdtemp(join(tmpdir(), 'cometmq-ha-bench-m-')),
    await mkdtemp(join(tmpdir(), 'cometmq-ha-bench-s-')),
  ];
  const procs: Proc[] = [];
  const client = new RemotingClient();
  try {
    const ns = await startProcess(
      main,
      ['namesrv', '-p', '0', '--bindAddress=127.0.0.1'],
      /NameServer listening on \S+?:(\d+)/,
      'namesrv',
    );
    procs.push(ns);
    const namesrvAddr = `127.0.0.1:${ns.addr}`;
    const broker = (dir: string, extra: string[]): Promise<Proc> =>
      startProcess(
        main,
        [
          'broker',
          '-n',
          namesrvAddr,
          '--listenPort=0',
          '--haListenPort=0',
          '--bindAddress=127.0.0.1',
          '--brokerIP1=127.0.0.1',
          '--brokerIP2=127.0.0.1',
          '--brokerName=ha-bench',
          `--storePathRootDir=${dir}`,
          ...extra,
          ...o.brokerArgs,
        ],
        /Broker listening on (\S+)/,
        'broker',
      );
    const master = await broker(dirs[0]!, [`--brokerRole=${role}`, '--brokerId=0']);
    procs.push(master);
    const slave = await broker(dirs[1]!, ['--brokerRole=SLAVE', '--brokerId=1']);
    procs.push(slave);
    await waitUntil(
      'the HA link',
      async () => (await runtimeInfo(client, master.addr)).get('haConnectionCount') === '1',
      30_000,
    );

    const history: { t: number; max: number }[] = [];
    const lagBytes: number[] = [];
    const lagMs: number[] = [];
    let sampling = true;
    let lastMax = 0;
    let lastAck = 0;
    const sample = async (): Promise<void> => {
      const info = await runtimeInfo(client, master.addr);
      const t = performance.now();
      const masterMax = Number(info.get('commitLogMaxOffset'));
      const slaveAck = Number(info.get('haPush2SlaveMaxOffset'));
      lastMax = masterMax;
      lastAck = slaveAck;
      history.push({ t, max: masterMax });
      const s: HaBenchSample = {
        role,
        t: round(t),
        masterMax,
        slaveAck,
        lagBytes: Math.max(0, masterMax - slaveAck),
        lagMs: round(lagMsAt(history, slaveAck, t)),
      };
      if (sampling) {
        lagBytes.push(s.lagBytes);
        lagMs.push(s.lagMs);
      }
      if (o.printSamples) emit(JSON.stringify({ sample: s }));
    };
    const sampler = (async () => {
      while (sampling) {
        const next = performance.now() + o.sampleMs;
        await sample().catch(() => {});
        await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
      }
    })();

    const cpu0 = [processCpuMs(master.proc.pid), processCpuMs(slave.proc.pid)];
    const t0 = performance.now();
    const producer = await runProducerBench({
      namesrvAddr,
      topic: 'HaBenchTopic',
      size: o.size,
      window: o.window,
      durationSec: o.durationSec,
      connections: o.connections,
      queueNums: o.queueNums,
      producerGroup: 'ha_bench_producer',
    });
    const elapsed = performance.now() - t0;
    const cpu1 = [processCpuMs(master.proc.pid), processCpuMs(slave.proc.pid)];
    sampling = false;
    await sampler;
    const loadEnd = performance.now();
    await sample();
    await waitUntil(
      'the slave to catch up',
      async () => {
        await sample();
        return lastAck >= lastMax;
      },
      60_000,
    );
    const pct = (i: number): number =>
      cpu0[i]! < 0 || cpu1[i]! < 0 ? -1 : round(((cpu1[i]! - cpu0[i]!) / elapsed) * 100, 1);
    const perMsg = (i: number): number =>
      cpu0[i]! < 0 || cpu1[i]! < 0
        ? -1
        : round(((cpu1[i]! - cpu0[i]!) * 1000) / Math.max(1, producer.acked), 1);
    return {
      role,
      producer,
      samples: lagBytes.length,
      lagBytes: stats(lagBytes),
      lagMs: stats(lagMs),
      catchUpMs: round(performance.now() - loadEnd),
      masterCommitLogBytes: lastMax,
      masterCpuPct: pct(0),
      slaveCpuPct: pct(1),
      masterCpuUsPerMsg: perMsg(0),
      slaveCpuUsPerMsg: perMsg(1),
    };
  } finally {
    await client.shutdown();
    for (const p of procs.reverse()) await p.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
}

export interface HaBenchResult {
  results: HaBenchRoleResult[];
  /** SYNC_MASTER msgs/s divided by ASYNC_MASTER msgs/s, when both ran */
  syncOverAsync?: number;
}

export async function runHaBench(o: HaBenchOptions): Promise<HaBenchResult> {
  const emit = o.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const results: HaBenchRoleResult[] = [];
  for (const role of o.roles) {
    const r = await runRole(role, o, emit);
    results.push(r);
    emit(JSON.stringify(r));
  }
  const sync = results.find((r) => r.role === 'SYNC_MASTER');
  const async = results.find((r) => r.role === 'ASYNC_MASTER');
  const out: HaBenchResult = { results };
  if (sync && async && async.producer.msgsPerSec > 0) {
    out.syncOverAsync = round(sync.producer.msgsPerSec / async.producer.msgsPerSec, 3);
    emit(
      JSON.stringify({
        syncMsgsPerSec: sync.producer.msgsPerSec,
        asyncMsgsPerSec: async.producer.msgsPerSec,
        syncOverAsync: out.syncOverAsync,
        syncP99Ms: sync.producer.p99Ms,
        asyncP99Ms: async.producer.p99Ms,
      }),
    );
  }
  return out;
}
