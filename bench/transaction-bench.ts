/**
 * `cometmq bench transaction`: transactional sends as RocketMQ's TransactionMQProducer makes them, a
 * prepared (half) message with SEND_MESSAGE_V2 (TRAN_MSG=true, sysFlag PREPARED) and, once it is
 * acknowledged, END_TRANSACTION commit as a oneway request on the same connection. Half frames are
 * patched in reused buffers (bench/send-frame-template.ts, as bench/producer-bench.ts's), commits are
 * written from the acknowledgement's bytes (bench/end-transaction-frame.ts), and responses are read by
 * scanning their header bytes, never parsed. The run ends when every commit is visible in the topic's queues, so
 * `committedPerSec` counts transactions the broker finished, not just requests written. Works against
 * any RocketMQ 4.x broker (the same generator against CometMQ and the reference).
 */
import { performance } from 'node:perf_hooks';
import { RemotingClient } from '../src/remoting/remoting-client.js';
import { RemotingCommand } from '../src/remoting/remoting-command.js';
import { RequestCode } from '../src/remoting/request-code.js';
import { cpuMicros, LatencyHistogram, type MasterQueues, resolveTopic, round } from './bench-support.js';
import { EndTransactionFrames } from './end-transaction-frame.js';
import {
  CODE_KEY,
  connectTargets,
  type FrameConnection,
  headerIntAt,
  OPAQUE_KEY,
} from './frame-connection.js';
import { buildSendFrameTemplate, SendFrameBatch } from './send-frame-template.js';

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

const RING = 1 << 20;

interface Batch {
  conn: FrameConnection;
  halves: SendFrameBatch;
  endPool: Buffer[];
  end: Buffer | undefined;
  endAt: number;
}
/** sysFlag of a half message, MessageSysFlag.TRANSACTION_PREPARED_TYPE */
const TRANSACTION_PREPARED_TYPE = 4;

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
  const tpl = buildSendFrameTemplate({
    ...o,
    sysFlag: TRANSACTION_PREPARED_TYPE,
    properties: `TRAN_MSG\u0001true\u0002PGROUP\u0001${o.producerGroup}\u0002WAIT\u0001true\u0002TAGS\u0001bench\u0002`,
  });
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

  const ends = new EndTransactionFrames(o.producerGroup);
  // per connection: its reused buffers of half frames and of commits, and the ones being filled
  const batches = new Map<FrameConnection, Batch>();
  const batchOf = (c: FrameConnection): Batch => {
    let b = batches.get(c);
    if (!b) {
      b = {
        conn: c,
        halves: new SendFrameBatch(c, tpl, o.window),
        endPool: [],
        end: undefined,
        endAt: 0,
      };
      batches.set(c, b);
    }
    return b;
  };
  const endBytes = o.window * ends.maxFrameBytes;

  const onResponse = (conn: FrameConnection, buf: Buffer, start: number, end: number): void => {
    const code = headerIntAt(buf, start, end, CODE_KEY);
    const op = headerIntAt(buf, start, end, OPAQUE_KEY, true);
    inflight--;
    const b = batchOf(conn);
    if (code === 0) {
      // at most `window` halves are answered between two ticks; the guard keeps that an assumption
      if (b.end !== undefined && b.endAt + ends.maxFrameBytes > b.end.length) sendEnds(b);
      if (b.end === undefined) {
        b.end = b.endPool.pop() ?? Buffer.allocUnsafe(endBytes);
        b.endAt = 0;
      }
      const n = ends.write(b.end, b.endAt, buf, start, end, opaque);
      if (n > 0) {
        opaque++;
        b.endAt += n;
        acked++;
        hist.record(performance.now() - sentAt[op & (RING - 1)]!);
      } else {
        failures++;
        failureCodes.noMsgId = (failureCodes.noMsgId ?? 0) + 1;
      }
    } else {
      failures++;
      failureCodes[code] = (failureCodes[code] ?? 0) + 1;
    }
    if (acked + failures >= o.count) {
      sendEnds(b);
      finish();
    } else scheduleFill();
  };
  const { conns, targets } = await connectTargets(brokers, o.connections, onResponse);
  const targetBatch = targets.map((t) => batchOf(t.conn));
  const sendEnds = (b: Batch): void => {
    const buf = b.end;
    if (buf === undefined) return;
    b.conn.write(buf.subarray(0, b.endAt), () => b.endPool.push(buf));
    b.end = undefined;
  };

  let next = 0;
  const fill = (): void => {
    fillScheduled = false;
    // the commits of the halves acknowledged since the last tick first
    for (const b of batches.values()) sendEnds(b);
    const n = Math.min(o.window - inflight, o.count - sent);
    if (n <= 0) return;
    const now = performance.now();
    const born = Date.now();
    for (let i = 0; i < n; i++) {
      const k = next++ % targets.length;
      const op = opaque++;
      targetBatch[k]!.halves.add(op, targets[k]!.queueId, born);
      sentAt[op & (RING - 1)] = now;
    }
    sent += n;
    inflight += n;
    for (const b of batches.values()) b.halves.send();
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
  for (const b of batches.values()) sendEnds(b);
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
