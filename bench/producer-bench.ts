/**
 * `cometmq bench producer`: a light load generator in the spirit of RocketMQ's benchmark.Producer that
 * speaks remoting directly, so that the broker, not the generator, is what gets measured. Frames are
 * copied from one SEND_MESSAGE_V2 template and patched in place (opaque, queueId, bornTimestamp) into
 * one buffer per connection per tick; responses are matched by opaque with a scan of the header text,
 * never a full parse. Prints live progress on a terminal and a final JSON line.
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseAddress } from '../src/remoting/remoting-client.js';
import { RequestCode } from '../src/remoting/request-code.js';
import {
  cpuMicros,
  LatencyHistogram,
  type MasterQueues,
  progress,
  resolveTopic,
  round,
} from './bench-support.js';

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

const OPAQUE_WIDTH = 10;
const RING = 1 << 20;

interface Template {
  frame: Buffer;
  opaqueAt: number;
  queueIdAt: number;
  bornAt: number;
}

function buildTemplate(o: ProducerBenchOptions): Template {
  const header = JSON.stringify({
    code: RequestCode.SEND_MESSAGE_V2,
    extFields: {
      a: o.producerGroup,
      b: o.topic,
      c: 'TBW102',
      d: String(o.queueNums),
      e: '@@@',
      f: '0',
      g: '#############',
      h: '0',
      i: o.properties ?? 'WAIT\u0001true\u0002TAGS\u0001bench\u0002',
      j: '0',
      k: 'false',
      l: '16',
      m: 'false',
    },
    flag: 0,
    language: 'JAVA',
    opaque: 0,
    serializeTypeCurrentRPC: 'JSON',
    version: 409,
  }).replace('"opaque":0', `"opaque":${' '.repeat(OPAQUE_WIDTH)}`);
  const headerBuf = Buffer.from(header, 'latin1');
  const body = Buffer.alloc(o.size);
  for (let i = 0; i < body.length; i++) body[i] = 97 + (i % 26);
  const frame = Buffer.alloc(8 + headerBuf.length + body.length);
  frame.writeInt32BE(4 + headerBuf.length + body.length, 0);
  frame.writeInt32BE(headerBuf.length, 4);
  headerBuf.copy(frame, 8);
  body.copy(frame, 8 + headerBuf.length);
  return {
    frame,
    opaqueAt: 8 + header.indexOf('"opaque":') + 9,
    queueIdAt: 8 + header.indexOf('@@@'),
    bornAt: 8 + header.indexOf('#############'),
  };
}

class Conn {
  readonly socket: Socket;
  private pending: Buffer[] = [];
  private acc: Buffer | null = null;

  constructor(
    addr: string,
    private readonly onResponse: (code: number, opaque: number) => void,
  ) {
    const { host, port } = parseAddress(addr);
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (d) => this.onData(d));
  }

  queue(buf: Buffer): void {
    this.pending.push(buf);
  }

  flush(): void {
    if (this.pending.length === 0) return;
    this.socket.write(this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending));
    this.pending = [];
  }

  private onData(chunk: Buffer): void {
    const buf = this.acc ? Buffer.concat([this.acc, chunk]) : chunk;
    let p = 0;
    while (buf.length - p >= 8) {
      const len = buf.readInt32BE(p);
      if (buf.length - p - 4 < len) break;
      const headerLen = buf.readInt32BE(p + 4) & 0xffffff;
      const header = buf.toString('latin1', p + 8, p + 8 + headerLen);
      this.onResponse(fieldInt(header, '"code":'), fieldInt(header, '"opaque":'));
      p += 4 + len;
    }
    // keep only the partial frame, copied, so the chunk it came in can be freed
    this.acc = p < buf.length ? Buffer.from(buf.subarray(p)) : null;
  }
}

function fieldInt(s: string, key: string): number {
  const at = s.indexOf(key);
  if (at < 0) return -1;
  let i = at + key.length;
  while (s.charCodeAt(i) === 32) i++;
  let neg = false;
  if (s[i] === '-') {
    neg = true;
    i++;
  }
  let n = 0;
  for (let c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(++i)) n = n * 10 + (c - 48);
  return neg ? -n : n;
}

export async function runProducerBench(o: ProducerBenchOptions): Promise<ProducerBenchResult> {
  const brokers: MasterQueues[] = await resolveTopic(o.namesrvAddr, o.topic, o.queueNums);
  const tpl = buildTemplate(o);
  const frameLen = tpl.frame.length;
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

  const targets: Array<{ conn: Conn; queueId: number }> = [];
  const conns: Conn[] = [];
  let finish: () => void = () => {};
  const done = new Promise<void>((r) => {
    finish = r;
  });
  const onResponse = (code: number, op: number): void => {
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
  for (const b of brokers) {
    const cs: Conn[] = [];
    for (let i = 0; i < o.connections; i++) cs.push(new Conn(b.addr, onResponse));
    conns.push(...cs);
    for (let q = 0; q < b.writeQueueNums; q++) targets.push({ conn: cs[q % cs.length]!, queueId: q });
  }
  await Promise.all(
    conns.map((c) => new Promise<void>((r, j) => c.socket.once('connect', r).once('error', j))),
  );
  for (const c of conns) c.socket.on('error', () => {});

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
    const born = String(Date.now());
    // one buffer per connection per tick, frames copied from the template and patched in place
    const perConn = new Map<Conn, { buf: Buffer; at: number }>();
    const plan: Conn[] = [];
    for (let i = 0; i < n; i++) plan.push(targets[(next + i) % targets.length]!.conn);
    for (const c of plan) {
      const e = perConn.get(c);
      if (e) e.at += frameLen;
      else perConn.set(c, { buf: Buffer.alloc(0), at: frameLen });
    }
    for (const e of perConn.values()) {
      e.buf = Buffer.allocUnsafe(e.at);
      e.at = 0;
    }
    for (let i = 0; i < n; i++) {
      const t = targets[next++ % targets.length]!;
      const e = perConn.get(t.conn)!;
      const base = e.at;
      tpl.frame.copy(e.buf, base);
      const op = opaque++;
      e.buf.write(String(op), base + tpl.opaqueAt, 'latin1');
      const q = String(t.queueId).padStart(3, '0');
      e.buf.write(q, base + tpl.queueIdAt, 'latin1');
      e.buf.write(born, base + tpl.bornAt, 'latin1');
      sentAt[op & (RING - 1)] = now;
      e.at += frameLen;
    }
    sent += n;
    inflight += n;
    for (const [c, e] of perConn) {
      c.queue(e.buf);
      c.flush();
    }
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
