/**
 * `cometmq bench transaction`: transactional sends as RocketMQ's TransactionMQProducer makes them, a
 * prepared (half) message with SEND_MESSAGE_V2 (TRAN_MSG=true, sysFlag PREPARED) and, once it is
 * acknowledged, END_TRANSACTION commit as a oneway request on the same connection. Frames come from the
 * template of bench/send-frame-template.ts (as bench/producer-bench.ts's), responses are read by
 * scanning the header text for code, opaque, msgId and queueOffset (bench/frame-connection.ts). The run ends when every commit is visible in the topic's queues, so
 * `committedPerSec` counts transactions the broker finished, not just requests written. Works against
 * any RocketMQ 4.x broker (the same generator against CometMQ and the reference).
 */
import { performance } from 'node:perf_hooks';
import { RemotingClient } from '../src/remoting/remoting-client.js';
import { RemotingCommand } from '../src/remoting/remoting-command.js';
import { RequestCode } from '../src/remoting/request-code.js';
import { cpuMicros, LatencyHistogram, type MasterQueues, resolveTopic, round } from './bench-support.js';
import { connectTargets, type FrameConnection, headerInt, headerStr } from './frame-connection.js';
import { buildSendFrameTemplate, writeSendFrame } from './send-frame-template.js';

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
/** sysFlag of a half message, MessageSysFlag.TRANSACTION_PREPARED_TYPE */
const TRANSACTION_PREPARED_TYPE = 4;

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

  const onResponse = (conn: FrameConnection, buf: Buffer, start: number, end: number): void => {
    const header = buf.toString('latin1', start, end);
    const code = headerInt(header, '"code":');
    const op = headerInt(header, '"opaque":');
    const msgId = headerStr(header, '"msgId":"');
    const queueOffset = headerStr(header, '"queueOffset":"');
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
  const { conns, targets } = await connectTargets(brokers, o.connections, onResponse);

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
      const op = opaque++;
      writeSendFrame(tpl, f, 0, op, t.queueId, born);
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
