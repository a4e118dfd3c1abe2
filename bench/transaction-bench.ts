/**
 * `cometmq bench transaction`: transactional sends as RocketMQ's TransactionMQProducer makes them, a
 * prepared (half) message with SEND_MESSAGE_V2 (TRAN_MSG=true, sysFlag PREPARED) and, once it is
 * acknowledged, END_TRANSACTION commit as a oneway request on the same connection. Frames come from a
 * template (as bench/producer-bench.ts), responses are read by scanning the header text for code,
 * opaque, msgId and queueOffset. The run ends when every commit is visible in the topic's queues, so
 * `committedPerSec` counts transactions the broker finished, not just requests written. Works against
 * any RocketMQ 4.x broker (the same generator against CometMQ and the reference).
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseAddress, RemotingClient } from '../src/remoting/remoting-client.js';
import { RemotingCommand } from '../src/remoting/remoting-command.js';
import { RequestCode } from '../src/remoting/request-code.js';
import { cpuMicros, LatencyHistogram, type MasterQueues, resolveTopic, round } from './bench-support.js';

export interface TransactionBenchOptions {
  namesrvAddr: string;
  topic: string;
  size: number;
  /** half messages in flight */
  window: number;
  count: number;
  connections: number;
  queueNums: number;
  producerGroup: string;
}

export interface TransactionBenchResult {
  bench: 'transaction';
  /** prepared sends acknowledged (and committed with END_TRANSACTION) per second */
  halfAckedPerSec: number;
  /** transactions whose committed message is in the topic, per second, until the last one was */
  committedPerSec: number;
  halfP50Ms: number;
  halfP99Ms: number;
  committed: number;
  failures: number;
  count: number;
  size: number;
  window: number;
  durationSec: number;
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

function buildTemplate(o: TransactionBenchOptions): Template {
  const header = JSON.stringify({
    code: RequestCode.SEND_MESSAGE_V2,
    extFields: {
      a: o.producerGroup,
      b: o.topic,
      c: 'TBW102',
      d: String(o.queueNums),
      e: '@@@',
      f: '4', // TRANSACTION_PREPARED_TYPE
      g: '#############',
      h: '0',
      i: `TRAN_MSG\u0001true\u0002PGROUP\u0001${o.producerGroup}\u0002WAIT\u0001true\u0002TAGS\u0001bench\u0002`,
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

/** END_TRANSACTION commit, oneway (flag 2), as DefaultMQProducerImpl.endTransaction sends it. */
function endTransactionFrame(group: string, opaque: number, msgId: string, queueOffset: string): Buffer {
  const commitLogOffset = Number.parseInt(msgId.slice(-16), 16);
  const header =
    `{"code":${RequestCode.END_TRANSACTION},"extFields":{"producerGroup":"${group}",` +
    `"tranStateTableOffset":"${queueOffset}","commitLogOffset":"${commitLogOffset}",` +
    `"commitOrRollback":"8","fromTransactionCheck":"false","msgId":"${msgId}","transactionId":"${msgId}"},` +
    `"flag":2,"language":"JAVA","opaque":${opaque},"serializeTypeCurrentRPC":"JSON","version":409}`;
  const len = Buffer.byteLength(header, 'latin1');
  const frame = Buffer.allocUnsafe(8 + len);
  frame.writeInt32BE(4 + len, 0);
  frame.writeInt32BE(len, 4);
  frame.write(header, 8, 'latin1');
  return frame;
}

type OnResponse = (conn: Conn, code: number, opaque: number, msgId: string, queueOffset: string) => void;

class Conn {
  readonly socket: Socket;
  private pending: Buffer[] = [];
  private acc: Buffer | null = null;

  constructor(
    addr: string,
    private readonly onResponse: OnResponse,
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
      const h = buf.toString('latin1', p + 8, p + 8 + headerLen);
      this.onResponse(
        this,
        fieldInt(h, '"code":'),
        fieldInt(h, '"opaque":'),
        fieldStr(h, '"msgId":"'),
        fieldStr(h, '"queueOffset":"'),
      );
      p += 4 + len;
    }
    this.acc = p < buf.length ? Buffer.from(buf.subarray(p)) : null;
    this.flush();
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

function fieldStr(s: string, key: string): string {
  const at = s.indexOf(key);
  if (at < 0) return '';
  const start = at + key.length;
  return s.substring(start, s.indexOf('"', start));
}

/** Sum of the topic's max offsets over every master queue. */
async function totalMaxOffset(
  client: RemotingClient,
  brokers: MasterQueues[],
  topic: string,
): Promise<number> {
  let sum = 0;
  for (const b of brokers)
    for (let q = 0; q < b.writeQueueNums; q++) {
      const r = await client.invokeSync(
        b.addr,
        RemotingCommand.request(RequestCode.GET_MAX_OFFSET, { topic, queueId: q }),
        5000,
      );
      sum += Number(r.extFields.offset ?? 0);
    }
  return sum;
}

export async function runTransactionBench(o: TransactionBenchOptions): Promise<TransactionBenchResult> {
  const brokers = await resolveTopic(o.namesrvAddr, o.topic, o.queueNums);
  const admin = new RemotingClient();
  const before = await totalMaxOffset(admin, brokers, o.topic);
  const tpl = buildTemplate(o);
  const frameLen = tpl.frame.length;
  const sentAt = new Float64Array(RING);
  const hist = new LatencyHistogram();
  let sent = 0;
  let acked = 0;
  let failures = 0;
  const failureCodes: Record<string, number> = {};
  let inflight = 0;
  let opaque = 1;
  let fillScheduled = false;
  let finish: () => void = () => {};
  const done = new Promise<void>((r) => {
    finish = r;
  });

  const onResponse: OnResponse = (conn, code, op, msgId, queueOffset) => {
    inflight--;
    if (code === 0 && msgId.length >= 16) {
      acked++;
      hist.record(performance.now() - sentAt[op & (RING - 1)]!);
      conn.queue(endTransactionFrame(o.producerGroup, opaque++, msgId, queueOffset));
    } else {
      failures++;
      failureCodes[code] = (failureCodes[code] ?? 0) + 1;
    }
    if (acked + failures >= o.count) finish();
    else scheduleFill();
  };
  const targets: Array<{ conn: Conn; queueId: number }> = [];
  const conns: Conn[] = [];
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
    const n = Math.min(o.window - inflight, o.count - sent);
    if (n <= 0) return;
    const now = performance.now();
    const born = String(Date.now());
    for (let i = 0; i < n; i++) {
      const t = targets[next++ % targets.length]!;
      const f = Buffer.allocUnsafe(frameLen);
      tpl.frame.copy(f);
      const op = opaque++;
      f.write(String(op), tpl.opaqueAt, 'latin1');
      f.write(String(t.queueId).padStart(3, '0'), tpl.queueIdAt, 'latin1');
      f.write(born, tpl.bornAt, 'latin1');
      sentAt[op & (RING - 1)] = now;
      t.conn.queue(f);
    }
    sent += n;
    inflight += n;
    for (const c of conns) c.flush();
  };
  const scheduleFill = (): void => {
    if (fillScheduled) return;
    fillScheduled = true;
    setImmediate(fill);
  };

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // a lost response must not hang the run
  const guard = setTimeout(finish, Math.max(60_000, o.count / 5));
  scheduleFill();
  await done;
  clearTimeout(guard);
  for (const c of conns) c.flush();
  const ackedAt = performance.now();
  const cpu = cpuMicros(cpu0);
  // every commit visible in the topic (bounded: 30 s after the last acknowledgement)
  let committed = 0;
  let committedAt = ackedAt;
  for (let i = 0; i < 300; i++) {
    committed = (await totalMaxOffset(admin, brokers, o.topic)) - before;
    committedAt = performance.now();
    if (committed >= acked) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const c of conns) c.socket.destroy();
  await admin.shutdown();
  return {
    bench: 'transaction',
    halfAckedPerSec: Math.round(acked / ((ackedAt - t0) / 1000)),
    committedPerSec: Math.round(committed / ((committedAt - t0) / 1000)),
    halfP50Ms: hist.percentile(50),
    halfP99Ms: hist.percentile(99),
    committed,
    failures,
    count: o.count,
    size: o.size,
    window: o.window,
    durationSec: round((committedAt - t0) / 1000),
    generatorCpuUsPerMsg: round(cpu / Math.max(1, sent)),
    failureCodes,
  };
}
