/**
 * `cometmq bench compare`: the reference Apache RocketMQ 4.9.8 and CometMQ side by side on this machine
 * (issue 10, "Speed, side by side"). For each case (flush type) each target runs alone, one after the
 * other, with the same settings: a fresh NameServer + broker, warm-up traffic on a topic of its own
 * (the JVM's JIT needs it; CometMQ gets the same), then the measured produce run (the light generator of
 * producer-bench.ts), a short consume warm-up, and the measured consume of exactly the messages the
 * measured run produced. Each broker's CPU is read from /proc/PID/stat over each measured window; the
 * cluster is killed, its store removed and `sync` run before the next one starts, so that neither
 * target pays for the other's write-back.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { resolveTopic, round } from './bench-support.js';
import {
  type Cluster,
  type CompareTarget,
  defaultCometmqMain,
  defaultReferenceHome,
  type FlushDiskType,
  killAllSync,
  startCluster,
} from './compare-processes.js';
import { runConsumerBench } from './consumer-bench.js';
import { machineStealMicros, ProcessCpuMeter, processPeakRssMiB } from './proc-cpu.js';
import { runProducerBench } from './producer-bench.js';

export type CompareCase = 'async' | 'sync';

export interface CompareBenchOptions {
  /** measured produce run, seconds */
  durationSec: number;
  /** warm-up traffic before the measured run, seconds (both targets) */
  warmupSec: number;
  size: number;
  window: number;
  connections: number;
  queueNums: number;
  cases: CompareCase[];
  /** runs of the whole case list; every second one takes the targets in reverse order (default 1) */
  repeat?: number;
  targets: CompareTarget[];
  /** measure consuming too (default true) */
  consume: boolean;
  /** JAVA_OPT of the reference broker */
  brokerJavaOpt: string;
  referenceHome?: string;
  cometmqMain?: string;
  /** extra `--key=value` arguments of the CometMQ broker, e.g. --networkWorkerEnable=true */
  cometmqBrokerArgs?: string[];
  /** pause after each cluster's store is removed and synced, ms */
  settleMs: number;
  /** status lines (stderr by default) */
  log?: (line: string) => void;
  /** called with each case's result as soon as it is complete */
  onCase?: (r: CompareCaseResult) => void;
}

export interface ProduceFigures {
  msgsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  acked: number;
  failures: number;
  failureCodes: Record<string, number>;
  durationSec: number;
  /** broker process CPU (utime+stime, all threads) over the measured run, per acknowledged message */
  brokerCpuUsPerMsg: number;
  /** broker CPU time / wall time over the run: how many cores it kept busy */
  brokerCores: number;
  /**
   * time the broker's threads were runnable but waited for a CPU / wall time (schedstat): what other
   * processes on a shared machine took from it; null without schedstat
   */
  brokerWaitCores: number | null;
  generatorCpuUsPerMsg: number;
}

export interface ConsumeFigures {
  msgsPerSec: number;
  /** end to end (born timestamp to receipt): a backlog read, so mostly how old the messages were */
  p50Ms: number;
  p99Ms: number;
  received: number;
  failures: number;
  durationSec: number;
  brokerCpuUsPerMsg: number;
  brokerCores: number;
  brokerWaitCores: number | null;
  generatorCpuUsPerMsg: number;
  /**
   * CPU the hypervisor took from this VM during the measured consume (the `steal` column of
   * /proc/stat), in cores; null where unknown. A consume that lost some of the VM's CPU says so here.
   */
  stealCores: number | null;
}

export interface TargetRun {
  warmup: { msgsPerSec: number; acked: number; failures: number };
  produce: ProduceFigures;
  consume: ConsumeFigures | null;
  brokerPeakRssMiB: number | null;
}

export interface CompareCaseResult {
  case: CompareCase;
  /** 1-based run of the case list (--repeat) */
  run: number;
  /** the order the targets ran in */
  order: CompareTarget[];
  flushDiskType: FlushDiskType;
  size: number;
  window: number;
  connections: number;
  durationSec: number;
  warmupSec: number;
  /** extra arguments the CometMQ broker ran with */
  cometmqBrokerArgs: string[];
  reference: TargetRun | null;
  cometmq: TargetRun | null;
  /** cometmq / reference; null unless both ran */
  ratio: {
    produceMsgsPerSec: number;
    produceBrokerCpuUsPerMsg: number;
    consumeMsgsPerSec: number | null;
    consumeBrokerCpuUsPerMsg: number | null;
  } | null;
  cpus: number;
  loadAvgStart: number[];
  loadAvgEnd: number[];
}

const FLUSH: Record<CompareCase, FlushDiskType> = { async: 'ASYNC_FLUSH', sync: 'SYNC_FLUSH' };
const WARM_TOPIC = 'CompareWarmup';
const TOPIC = 'CompareBench';

function perMsg(cpuUs: number, n: number): number {
  return n > 0 && Number.isFinite(cpuUs) ? round(cpuUs / n) : 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The NameServer may answer before the broker's first registration reached it: retry a while. */
async function createTopics(c: Cluster, queueNums: number): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await resolveTopic(c.namesrvAddr, WARM_TOPIC, queueNums);
      await resolveTopic(c.namesrvAddr, TOPIC, queueNums);
      return;
    } catch (err) {
      if (i >= 30) throw err;
      await sleep(500);
    }
  }
}

async function measureTarget(
  c: Cluster,
  o: CompareBenchOptions,
  log: (l: string) => void,
): Promise<TargetRun> {
  // both topics exist before anything is measured, so the measured run's route lookup is one request
  await createTopics(c, o.queueNums);
  const producer = {
    namesrvAddr: c.namesrvAddr,
    size: o.size,
    window: o.window,
    connections: o.connections,
    queueNums: o.queueNums,
    producerGroup: 'compare_producer',
  };
  log(`${c.target}: warm-up ${o.warmupSec} s`);
  const warm = await runProducerBench({ ...producer, topic: WARM_TOPIC, durationSec: o.warmupSec });
  await sleep(1000);

  log(`${c.target}: produce ${o.durationSec} s`);
  let meter = new ProcessCpuMeter(c.broker.pid);
  let t0 = performance.now();
  const p = await runProducerBench({ ...producer, topic: TOPIC, durationSec: o.durationSec });
  let cpu = meter.elapsedMicros();
  let wait = meter.waitMicros();
  let wallUs = (performance.now() - t0) * 1000;
  const produce: ProduceFigures = {
    msgsPerSec: p.msgsPerSec,
    p50Ms: p.p50Ms,
    p99Ms: p.p99Ms,
    maxMs: p.maxMs,
    acked: p.acked,
    failures: p.failures,
    failureCodes: p.failureCodes,
    durationSec: p.durationSec,
    brokerCpuUsPerMsg: perMsg(cpu, p.acked),
    brokerCores: round(cpu / wallUs),
    brokerWaitCores: Number.isFinite(wait) ? round(wait / wallUs) : null,
    generatorCpuUsPerMsg: p.generatorCpuUsPerMsg,
  };

  let consume: ConsumeFigures | null = null;
  if (o.consume && p.acked > 0) {
    const consumer = {
      namesrvAddr: c.namesrvAddr,
      from: 'first' as const,
      queueNums: o.queueNums,
      pullBatchSize: 32,
    };
    // the produce run's dirty pages are written back now, not while the consume is measured
    syncDisks();
    const warmSec = Math.max(1, Math.min(5, Math.round(o.warmupSec / 2)));
    log(`${c.target}: consume warm-up ${warmSec} s`);
    await runConsumerBench({ ...consumer, topic: WARM_TOPIC, group: 'compare_warmup', durationSec: warmSec });
    log(`${c.target}: consume ${p.acked} messages`);
    meter = new ProcessCpuMeter(c.broker.pid);
    const steal0 = machineStealMicros();
    t0 = performance.now();
    const r = await runConsumerBench({
      ...consumer,
      topic: TOPIC,
      group: 'compare_consumer',
      count: p.acked,
      // a bound, not a target: a consumer that stalls must not hang the comparison
      durationSec: Math.max(120, o.durationSec * 10),
    });
    cpu = meter.elapsedMicros();
    wait = meter.waitMicros();
    wallUs = (performance.now() - t0) * 1000;
    const steal1 = machineStealMicros();
    consume = {
      msgsPerSec: r.msgsPerSec,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      received: r.received,
      failures: r.failures,
      durationSec: r.durationSec,
      brokerCpuUsPerMsg: perMsg(cpu, r.received),
      brokerCores: round(cpu / wallUs),
      brokerWaitCores: Number.isFinite(wait) ? round(wait / wallUs) : null,
      generatorCpuUsPerMsg: r.generatorCpuUsPerMsg,
      stealCores: steal0 !== undefined && steal1 !== undefined ? round((steal1 - steal0) / wallUs) : null,
    };
  }
  return {
    warmup: { msgsPerSec: warm.msgsPerSec, acked: warm.acked, failures: warm.failures },
    produce,
    consume,
    brokerPeakRssMiB: processPeakRssMiB(c.broker.pid) ?? null,
  };
}

function ratio(a: number | undefined, b: number | undefined): number | null {
  return a !== undefined && b !== undefined && b > 0 ? round(a / b, 3) : null;
}

function ratios(ref: TargetRun | null, ours: TargetRun | null): CompareCaseResult['ratio'] {
  if (!ref || !ours) return null;
  return {
    produceMsgsPerSec: ratio(ours.produce.msgsPerSec, ref.produce.msgsPerSec) ?? 0,
    produceBrokerCpuUsPerMsg: ratio(ours.produce.brokerCpuUsPerMsg, ref.produce.brokerCpuUsPerMsg) ?? 0,
    consumeMsgsPerSec: ratio(ours.consume?.msgsPerSec, ref.consume?.msgsPerSec),
    consumeBrokerCpuUsPerMsg: ratio(ours.consume?.brokerCpuUsPerMsg, ref.consume?.brokerCpuUsPerMsg),
  };
}

/** Page cache write-back of the removed store must not slow the next cluster. */
function syncDisks(): void {
  try {
    execFileSync('sync', { stdio: 'ignore', timeout: 60_000 });
  } catch {
    // best effort: a missing `sync` only makes the next run noisier
  }
}

/**
 * Runs every case against every target (in the order given) and returns one result per case. Every
 * process started is killed by PID when done, on an error, and on SIGINT/SIGTERM.
 */
export async function runCompareBench(o: CompareBenchOptions): Promise<CompareCaseResult[]> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const onSignal = (signal: NodeJS.Signals): void => {
    killAllSync();
    process.stderr.write(`bench compare: stopped by ${signal}, every server killed\n`);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killAllSync);
  const results: CompareCaseResult[] = [];
  try {
    const runs = o.repeat ?? 1;
    for (let run = 1; run <= runs; run++) {
      // on a shared machine the load drifts: alternating who goes first keeps it from favouring one
      const order = run % 2 === 1 ? o.targets : [...o.targets].reverse();
      results.push(...(await runCases(o, run, order, log)));
    }
    return results;
  } finally {
    killAllSync();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', killAllSync);
  }
}

async function runCases(
  o: CompareBenchOptions,
  run: number,
  order: CompareTarget[],
  log: (l: string) => void,
): Promise<CompareCaseResult[]> {
  const results: CompareCaseResult[] = [];
  for (const k of o.cases) {
    const runs: Partial<Record<CompareTarget, TargetRun>> = {};
    const loadAvgStart = loadavg().map((n) => round(n));
    for (const target of order) {
      log(`case ${k}: starting ${target} (${FLUSH[k]})`);
      const cluster = await startCluster({
        target,
        flushDiskType: FLUSH[k],
        referenceHome: o.referenceHome ?? defaultReferenceHome(),
        brokerJavaOpt: o.brokerJavaOpt,
        cometmqMain: o.cometmqMain ?? defaultCometmqMain(),
        cometmqBrokerArgs: o.cometmqBrokerArgs,
      });
      log(
        `${target}: namesrv pid ${cluster.namesrv.pid} at ${cluster.namesrvAddr}, broker pid ${cluster.broker.pid} at ${cluster.brokerAddr}, data ${cluster.dataDir}`,
      );
      try {
        runs[target] = await measureTarget(cluster, o, log);
      } catch (err) {
        throw new Error(
          `${target} (${FLUSH[k]}): ${(err as Error).message}\nbroker output:\n${cluster.broker.tail()}`,
        );
      } finally {
        await cluster.shutdown();
        syncDisks();
        await sleep(o.settleMs);
      }
    }
    const r: CompareCaseResult = {
      case: k,
      run,
      order,
      flushDiskType: FLUSH[k],
      size: o.size,
      window: o.window,
      connections: o.connections,
      durationSec: o.durationSec,
      warmupSec: o.warmupSec,
      cometmqBrokerArgs: o.cometmqBrokerArgs ?? [],
      reference: runs.reference ?? null,
      cometmq: runs.cometmq ?? null,
      ratio: ratios(runs.reference ?? null, runs.cometmq ?? null),
      cpus: cpus().length,
      loadAvgStart,
      loadAvgEnd: loadavg().map((n) => round(n)),
    };
    results.push(r);
    o.onCase?.(r);
  }
  return results;
}
