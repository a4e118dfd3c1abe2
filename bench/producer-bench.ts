/**
 * `cometmq bench producer`: a light load generator in the spirit of RocketMQ's benchmark.Producer that
 * speaks remoting directly, so that the broker, not the generator, is what gets measured. Frames are
 * built once from one SEND_MESSAGE_V2 template into reused buffers and patched in place (opaque, queueId,
 * bornTimestamp), one write per connection per tick; responses are matched by opaque with a scan of the
 * header bytes, never a full parse. Prints live progress on a terminal and a final JSON line.
 */
import { performance } from 'node:perf_hooks';
import {
  cpuMicros,
  LatencyHistogram,
  type MasterQueues,
  progress,
  resolveTopic,
  round,
} from './bench-support.js';
import {
  CODE_KEY,
  connectTargets,
  type FrameConnection,
  headerIntAt,
  OPAQUE_KEY,
} from './frame-connection.js';
import { buildSendFrameTemplate, SendFrameBatch } from './send-frame-template.js';

export interface ProducerBenchOptions {
  namesrvAddr: string;
  topic: string;
  /** body size in bytes */
  size: number;
  /** messages in flight across all connections */
  window: number;
  count?: number;
  durationSec?: number;
  /** connections per broker */
  connections: number;
  queueNums: number;
  producerGroup: string;
  /** each message's encoded properties (default WAIT=true, TAGS=bench); bench/delay-bench.ts adds DELAY */
  properties?: string;
}

export interface ProducerBenchResult {
  msgsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  failures: number;
  acked: number;
  sent: number;
  durationSec: number;
  size: number;
  window: number;
  generatorCpuUsPerMsg: number;
  failureCodes: Record<string, number>;
}

const RING = 1 << 20;

export async function runProducerBench(o: ProducerBenchOptions): Promise<ProducerBenchResult> {
  const brokers: MasterQueues[] = await resolveTopic(o.namesrvAddr, o.topic, o.queueNums);
  const tpl = buildSendFrameTemplate({
    ...o,
    sysFlag: 0,
    properties: o.properties ?? 'WAIT\u0001true\u0002TAGS\u0001bench\u0002',
  });
  const sentAt = new Float64Array(RING);
  const hist = new LatencyHistogram();
  const failureCodes: Record<string, number> = {};
  let sent = 0;
  let acked = 0;
  let failures = 0;
  let inflight = 0;
  let opaque = 1;
  let stopSending = false;
  let fillScheduled = false;

  let finish: () => void = () => {};
  const done = new Promise<void>((r) => {
    finish = r;
  });
  const onResponse = (_conn: FrameConnection, buf: Buffer, start: number, end: number): void => {
    const code = headerIntAt(buf, start, end, CODE_KEY);
    const op = headerIntAt(buf, start, end, OPAQUE_KEY, true);
    inflight--;
    const t0 = sentAt[op & (RING - 1)]!;
    if (code === 0) {
      acked++;
      hist.record(performance.now() - t0);
    } else {
      failures++;
      failureCodes[code] = (failureCodes[code] ?? 0) + 1;
    }
    scheduleFill();
  };
  const { conns, targets } = await connectTargets(brokers, o.connections, onResponse);
  // per connection: the frames of this tick, in a reused buffer
  const batches = new Map<FrameConnection, SendFrameBatch>();
  for (const c of conns) batches.set(c, new SendFrameBatch(c, tpl, o.window));
  const targetBatch = targets.map((t) => batches.get(t.conn)!);

  let next = 0;
  const fill = (): void => {
    fillScheduled = false;
    if (stopSending) {
      if (inflight === 0) finish();
      return;
    }
    let n = o.window - inflight;
    if (o.count !== undefined) n = Math.min(n, o.count - sent);
    if (n <= 0) {
      if (o.count !== undefined && sent >= o.count && inflight === 0) finish();
      return;
    }
    const now = performance.now();
    const born = Date.now();
    // frames patched in place in each connection's reused buffer, one write per connection per tick
    for (let i = 0; i < n; i++) {
      const k = next++ % targets.length;
      const op = opaque++;
      targetBatch[k]!.add(op, targets[k]!.queueId, born);
      sentAt[op & (RING - 1)] = now;
    }
    sent += n;
    inflight += n;
    for (const b of batches.values()) b.send();
  };
  const scheduleFill = (): void => {
    if (fillScheduled) return;
    fillScheduled = true;
    setImmediate(fill);
  };

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let lastAcked = 0;
  const stopProgress = progress(() => {
    const rate = acked - lastAcked;
    lastAcked = acked;
    return `sent ${sent} acked ${acked} failures ${failures} | ${rate} msgs/s | p99 ${hist.percentile(99)} ms`;
  });
  let durationTimer: NodeJS.Timeout | undefined;
  if (o.durationSec !== undefined)
    durationTimer = setTimeout(() => {
      stopSending = true;
      scheduleFill();
    }, o.durationSec * 1000);
  let stoppedAt = 0;
  const drainGuard = setInterval(() => {
    // a lost response must not hang the run: give up 10 s after sending stopped
    if (!stopSending && !(o.count !== undefined && sent >= o.count)) return;
    if (stoppedAt === 0) stoppedAt = performance.now();
    else if (performance.now() - stoppedAt > 10_000 && inflight > 0) {
      failures += inflight;
      inflight = 0;
      finish();
    }
  }, 1000);
  scheduleFill();
  await done;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = cpuMicros(cpu0);
  clearInterval(drainGuard);
  if (durationTimer) clearTimeout(durationTimer);
  stopProgress();
  for (const c of conns) c.socket.destroy();
  return {
    msgsPerSec: Math.round(acked / elapsed),
    p50Ms: hist.percentile(50),
    p99Ms: hist.percentile(99),
    maxMs: round(hist.max),
    failures,
    acked,
    sent,
    durationSec: round(elapsed),
    size: o.size,
    window: o.window,
    generatorCpuUsPerMsg: round(cpu / Math.max(1, sent)),
    failureCodes,
  };
}
