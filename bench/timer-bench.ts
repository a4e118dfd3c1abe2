/**
 * `cometmq bench timer`: timer messages end to end (issue 9: "1 million timers due within the same
 * 10 s, delivered with p99 lag < 1 s"). Sends `count` messages carrying TIMER_DELIVER_MS spread over
 * [T, T + window) (shuffled, so one wheel slot's messages lie all over the CommitLog), with T far
 * enough ahead that every send is acknowledged before T; long-polling pull loops on every queue take
 * them back, and lag = receipt time - due time. "early" counts receipts before their due time (must
 * stay 0). With --broker-pid the broker's RSS is sampled (/proc) once all timers are pending and
 * during delivery. --pending-only sends timers due far ahead and only reports the RSS they cost.
 */
import { readFileSync } from 'node:fs';
import { PullSysFlag } from '../src/common/message-const.js';
import {
  bodyLengthPosition,
  readLong,
  SYSFLAG_POSITION,
  storeTimestampPosition,
} from '../src/common/message-decoder.js';
import { getPropertyFromString } from '../src/common/message-properties.js';
import { encodePullMessageRequestHeader } from '../src/remoting/protocol/header/pull-message-request-header.js';
import { encodeSendMessageRequestHeaderV2 } from '../src/remoting/protocol/header/send-message-request-header.js';
import { RemotingClient } from '../src/remoting/remoting-client.js';
import { RemotingCommand } from '../src/remoting/remoting-command.js';
import { RequestCode } from '../src/remoting/request-code.js';
import { ResponseCode } from '../src/remoting/response-code.js';
import { LatencyHistogram, progress, resolveTopic, round } from './bench-support.js';

export interface TimerBenchOptions {
  namesrvAddr: string;
  topic?: string;
  count: number;
  size: number;
  /** the due times span this many ms */
  windowMs: number;
  /** T - start; 0 = estimated from the count */
  leadMs: number;
  inflight: number;
  queueNums: number;
  brokerPid?: number;
  /** send timers due `leadMs` ahead (default 1 h) and report the broker's RSS, no delivery */
  pendingOnly?: boolean;
}

export interface TimerBenchResult {
  bench: 'timer';
  count: number;
  size: number;
  windowMs: number;
  leadMs: number;
  sendMsgsPerSec: number;
  sendFailures: number;
  sentLate: number;
  delivered: number;
  early: number;
  brokerEarly: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagP999Ms: number;
  lagMaxMs: number;
  /** the broker's share: store time in the real topic - due time */
  brokerLagP50Ms: number;
  brokerLagP99Ms: number;
  brokerLagMaxMs: number;
  deliverMsgsPerSec: number;
  brokerRssPendingMiB?: number;
  brokerRssMaxMiB?: number;
}

function rssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Store time and the two timer properties of each message of a pull body, without a full decode. */
function* scan(body: Buffer): Generator<[number, string | undefined, string | undefined]> {
  for (let p = 0; p + 4 <= body.length; ) {
    const size = body.readInt32BE(p);
    if (size <= 0) return;
    const sysFlag = body.readInt32BE(p + SYSFLAG_POSITION);
    const storeTs = readLong(body, p + storeTimestampPosition(sysFlag));
    let q = p + bodyLengthPosition(sysFlag);
    q += 4 + body.readInt32BE(q);
    q += 1 + body[q]!;
    const propsLen = body.readInt16BE(q);
    const props = body.toString('latin1', q + 2, q + 2 + propsLen);
    yield [
      storeTs,
      getPropertyFromString(props, 'TIMER_OUT_MS'),
      getPropertyFromString(props, 'TIMER_DELIVER_MS'),
    ];
    p += size;
  }
}

export async function runTimerBench(o: TimerBenchOptions): Promise<TimerBenchResult> {
  const topic = o.topic ?? `TimerBench_${Date.now()}`;
  const masters = await resolveTopic(o.namesrvAddr, topic, o.queueNums);
  const queues = masters.flatMap((m) =>
    Array.from({ length: m.writeQueueNums }, (_, q) => ({ addr: m.addr, queueId: q })),
  );
  const client = new RemotingClient();
  const body = Buffer.alloc(o.size, 0x61);
  const start = Date.now();
  const leadMs = o.leadMs > 0 ? o.leadMs : o.pendingOnly ? 3_600_000 : 5000 + Math.ceil(o.count / 7);
  const T = start + leadMs;
  let rssMax = 0;
  const sampler = setInterval(() => {
    const r = rssMiB(o.brokerPid);
    if (r !== undefined && r > rssMax) rssMax = r;
  }, 500);

  // receive side first: every queue pulled from its start (the topic is new), long polling
  const hist = new LatencyHistogram();
  const brokerHist = new LatencyHistogram();
  let delivered = 0;
  let early = 0;
  let brokerEarly = 0;
  let firstReceipt = 0;
  let lastReceipt = 0;
  let receiving = !o.pendingOnly;
  const pullLoop = async (addr: string, queueId: number): Promise<void> => {
    let offset = 0;
    while (receiving) {
      const header = encodePullMessageRequestHeader({
        consumerGroup: 'timer_bench',
        topic,
        queueId,
        queueOffset: offset,
        maxMsgNums: 32,
        sysFlag: PullSysFlag.FLAG_SUSPEND | PullSysFlag.FLAG_SUBSCRIPTION,
        commitOffset: 0,
        suspendTimeoutMillis: 1000,
        subscription: '*',
        subVersion: 0,
        expressionType: 'TAG',
      });
      let r: RemotingCommand;
      try {
        r = await client.invokeSync(addr, RemotingCommand.request(RequestCode.PULL_MESSAGE, header), 10_000);
      } catch {
        await sleep(100);
        continue;
      }
      const now = Date.now();
      if (r.code === ResponseCode.SUCCESS && r.body) {
        for (const [storeTs, out, deliver] of scan(r.body)) {
          const due = Number(out ?? deliver);
          if (now < due) early++;
          // sent after its due time, a message is stored straight away: only wheel deliveries count here
          if (out !== undefined) {
            if (storeTs < due) brokerEarly++;
            brokerHist.record(Math.max(0, storeTs - due));
          }
          hist.record(Math.max(0, now - due));
          delivered++;
          if (firstReceipt === 0) firstReceipt = now;
          lastReceipt = now;
        }
      }
      const next = Number(r.extFields.nextBeginOffset ?? offset);
      if (Number.isFinite(next)) offset = next;
    }
  };
  const pulls = queues.map((q) => pullLoop(q.addr, q.queueId));

  // send side: due times shuffled over the window (a multiplicative permutation of 0..count-1)
  let next = 0;
  let acked = 0;
  let failures = 0;
  let sentLate = 0;
  const stride = 2_654_435_761 % o.count || 1;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let step = stride;
  while (gcd(step, o.count) !== 1) step++;
  const stopProgress = progress(
    () => `sent ${acked}/${o.count} delivered ${delivered} rss ${rssMiB(o.brokerPid) ?? '-'} MiB`,
  );
  const sender = async (): Promise<void> => {
    while (next < o.count) {
      const i = next++;
      const slot = (i * step) % o.count;
      const due = T + Math.floor((slot * o.windowMs) / o.count);
      const q = queues[i % queues.length]!;
      const h = encodeSendMessageRequestHeaderV2({
        producerGroup: 'timer_bench_producer',
        topic,
        defaultTopic: 'TBW102',
        defaultTopicQueueNums: o.queueNums,
        queueId: q.queueId,
        sysFlag: 0,
        bornTimestamp: Date.now(),
        flag: 0,
        properties: `TIMER_DELIVER_MS\u0001${due}\u0002WAIT\u0001true`,
        reconsumeTimes: 0,
        unitMode: false,
        batch: false,
      });
      try {
        const r = await client.invokeSync(
          q.addr,
          RemotingCommand.request(RequestCode.SEND_MESSAGE_V2, h, body),
          30_000,
        );
        if (r.code === ResponseCode.SUCCESS) acked++;
        else failures++;
      } catch {
        failures++;
      }
      if (Date.now() >= due) sentLate++;
    }
  };
  await Promise.all(Array.from({ length: o.inflight }, sender));
  const sendSecs = (Date.now() - start) / 1000;

  let rssPending: number | undefined;
  if (o.brokerPid !== undefined) {
    // let the broker link the last timers, then read what they cost
    await sleep(Math.min(5000, Math.max(0, T - Date.now() - 1000)));
    rssPending = rssMiB(o.brokerPid);
  }
  if (!o.pendingOnly) {
    const end = T + o.windowMs + 60_000;
    let lastSeen = delivered;
    let idleSince = Date.now();
    while (delivered < acked && Date.now() < end) {
      await sleep(200);
      if (delivered !== lastSeen) {
        lastSeen = delivered;
        idleSince = Date.now();
      } else if (Date.now() > T + o.windowMs && Date.now() - idleSince > 10_000) break;
    }
  }
  receiving = false;
  stopProgress();
  clearInterval(sampler);
  await Promise.all(pulls);
  await client.shutdown();
  const deliverSecs = Math.max(0.001, (lastReceipt - firstReceipt) / 1000);
  return {
    bench: 'timer',
    count: o.count,
    size: o.size,
    windowMs: o.windowMs,
    leadMs,
    sendMsgsPerSec: round(acked / Math.max(0.001, sendSecs), 0),
    sendFailures: failures,
    sentLate,
    delivered,
    early,
    brokerEarly,
    lagP50Ms: round(hist.percentile(50)),
    lagP99Ms: round(hist.percentile(99)),
    lagP999Ms: round(hist.percentile(99.9)),
    lagMaxMs: round(hist.max),
    brokerLagP50Ms: round(brokerHist.percentile(50)),
    brokerLagP99Ms: round(brokerHist.percentile(99)),
    brokerLagMaxMs: round(brokerHist.max),
    deliverMsgsPerSec: round(delivered / deliverSecs, 0),
    ...(rssPending !== undefined ? { brokerRssPendingMiB: rssPending } : {}),
    ...(o.brokerPid !== undefined ? { brokerRssMaxMiB: rssMax } : {}),
  };
}
