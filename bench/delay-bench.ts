/**
 * `cometmq bench delay`: delayed messages end to end. The light generator of bench/producer-bench.ts
 * sends 1 KiB messages carrying DELAY=level (so the broker parks them in SCHEDULE_TOPIC_XXXX), while
 * bench/consumer-bench.ts pulls the real topic. Delivery lag is receipt time minus due time, with the
 * due time taken as born timestamp + the level's delay (born precedes the store time, so this slightly
 * overstates the lag, the same way against any broker). Works against any RocketMQ 4.x broker.
 *
 * After the run the delivered copies are read back from the topic (from the offsets it had before
 * the run) for the broker-side lag: the copy's store time minus born minus the level's delay, i.e.
 * how late the schedule service re-put it, without the consumer's pull path.
 */
import { PullSysFlag } from '../src/common/message-const.js';
import {
  BORN_TIMESTAMP_POSITION,
  SYSFLAG_POSITION,
  storeTimestampPosition,
} from '../src/common/message-decoder.js';
import { encodePullMessageRequestHeader } from '../src/remoting/protocol/header/pull-message-request-header.js';
import { RemotingClient } from '../src/remoting/remoting-client.js';
import { RemotingCommand } from '../src/remoting/remoting-command.js';
import { RequestCode } from '../src/remoting/request-code.js';
import { ResponseCode } from '../src/remoting/response-code.js';
import { LatencyHistogram, type MasterQueues, resolveTopic, round } from './bench-support.js';
import { type ConsumerBenchResult, runConsumerBench } from './consumer-bench.js';
import { type ProducerBenchResult, runProducerBench } from './producer-bench.js';

export interface DelayBenchOptions {
  namesrvAddr: string;
  topic: string;
  size: number;
  /** delay level (1 = 1 s with the default messageDelayLevel) */
  level: number;
  /** the broker's delay for that level, subtracted from born-to-receipt latency */
  levelDelayMs: number;
  count: number;
  window: number;
  connections: number;
  queueNums: number;
}

export interface DelayBenchResult {
  bench: 'delay';
  level: number;
  size: number;
  count: number;
  sendMsgsPerSec: number;
  sendP99Ms: number;
  sendFailures: number;
  delivered: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** store time of the delivered copy minus born minus the level's delay (no pull path) */
  brokerLagP50Ms: number;
  brokerLagP99Ms: number;
  brokerLagMaxMs: number;
  /**
   * delivered copies whose store time reads before born + the level's delay, and by how much at most
   * (CometMQ stamps a CommitLog batch's store time once per event-loop turn: a copy put in a turn that
   * began before its due time carries that turn's time; the put itself came after the due check)
   */
  brokerEarly: number;
  brokerEarlyMaxMs: number;
}

interface QueueStart {
  addr: string;
  queueId: number;
  offset: number;
}

async function queueEnds(
  client: RemotingClient,
  brokers: MasterQueues[],
  topic: string,
): Promise<QueueStart[]> {
  const out: QueueStart[] = [];
  for (const b of brokers)
    for (let queueId = 0; queueId < b.readQueueNums; queueId++) {
      const r = await client.invokeSync(
        b.addr,
        RemotingCommand.request(RequestCode.GET_MAX_OFFSET, { topic, queueId }),
        5000,
      );
      out.push({ addr: b.addr, queueId, offset: Number(r.extFields.offset ?? 0) });
    }
  return out;
}

/** Reads every queue from its start to its end (plain pulls) and records each copy's broker-side lag. */
async function readBackLag(
  client: RemotingClient,
  starts: QueueStart[],
  topic: string,
  levelDelayMs: number,
  hist: LatencyHistogram,
): Promise<{ early: number; earlyMaxMs: number }> {
  let early = 0;
  let earlyMaxMs = 0;
  const group = `delay_bench_readback_${Date.now()}`;
  for (const s of starts) {
    let offset = s.offset;
    for (let rounds = 0; rounds < 100_000; rounds++) {
      const header = encodePullMessageRequestHeader({
        consumerGroup: group,
        topic,
        queueId: s.queueId,
        queueOffset: offset,
        maxMsgNums: 32,
        sysFlag: PullSysFlag.FLAG_SUBSCRIPTION,
        commitOffset: 0,
        suspendTimeoutMillis: 0,
        subscription: '*',
        subVersion: 0,
        expressionType: 'TAG',
      });
      const r = await client.invokeSync(
        s.addr,
        RemotingCommand.request(RequestCode.PULL_MESSAGE, header),
        10_000,
      );
      if (r.code !== ResponseCode.SUCCESS || !r.body) break;
      const body = r.body;
      for (let p = 0; p + 64 <= body.length; ) {
        const size = body.readInt32BE(p);
        if (size <= 0) break;
        const sysFlag = body.readInt32BE(p + SYSFLAG_POSITION);
        const born = Number(body.readBigInt64BE(p + BORN_TIMESTAMP_POSITION));
        const stored = Number(body.readBigInt64BE(p + storeTimestampPosition(sysFlag)));
        const lag = stored - born - levelDelayMs;
        if (lag < 0) {
          early++;
          earlyMaxMs = Math.max(earlyMaxMs, -lag);
        }
        hist.record(Math.max(0, lag));
        p += size;
      }
      const next = Number(r.extFields.nextBeginOffset ?? offset);
      if (next <= offset) break;
      offset = next;
    }
  }
  return { early, earlyMaxMs };
}

export async function runDelayBench(o: DelayBenchOptions): Promise<DelayBenchResult> {
  const admin = new RemotingClient();
  const starts = await queueEnds(admin, await resolveTopic(o.namesrvAddr, o.topic, o.queueNums), o.topic);
  // the consumer starts at the queues' current ends; nothing it wants can arrive before levelDelayMs
  const consumer: Promise<ConsumerBenchResult> = runConsumerBench({
    namesrvAddr: o.namesrvAddr,
    topic: o.topic,
    group: `delay_bench_${Date.now()}`,
    count: o.count,
    from: 'last',
    queueNums: o.queueNums,
    pullBatchSize: 32,
  });
  await new Promise((r) => setTimeout(r, Math.min(500, o.levelDelayMs / 2)));
  const sent: ProducerBenchResult = await runProducerBench({
    namesrvAddr: o.namesrvAddr,
    topic: o.topic,
    size: o.size,
    window: o.window,
    count: o.count,
    connections: o.connections,
    queueNums: o.queueNums,
    producerGroup: 'delay_bench_producer',
    properties: `DELAY\u0001${o.level}\u0002WAIT\u0001true\u0002TAGS\u0001bench\u0002`,
  });
  const got = await consumer;
  const brokerHist = new LatencyHistogram();
  const early = await readBackLag(admin, starts, o.topic, o.levelDelayMs, brokerHist);
  await admin.shutdown();
  const lag = (ms: number): number => Math.round((ms - o.levelDelayMs) * 100) / 100;
  return {
    bench: 'delay',
    level: o.level,
    size: o.size,
    count: o.count,
    sendMsgsPerSec: sent.msgsPerSec,
    sendP99Ms: sent.p99Ms,
    sendFailures: sent.failures,
    delivered: got.received,
    lagP50Ms: lag(got.p50Ms),
    lagP99Ms: lag(got.p99Ms),
    lagMaxMs: lag(got.maxMs),
    brokerLagP50Ms: brokerHist.percentile(50),
    brokerLagP99Ms: brokerHist.percentile(99),
    brokerLagMaxMs: round(brokerHist.max),
    brokerEarly: early.early,
    brokerEarlyMaxMs: early.earlyMaxMs,
  };
}
