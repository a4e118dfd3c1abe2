/**
 * `cometmq bench consumer`: pulls a topic as fast as the broker hands it out, one long-polling pull
 * loop per queue (as a push consumer's PullMessageService does), and measures end-to-end latency from
 * each message's born timestamp to its receipt. Offsets are committed with the pulls.
 */
import { performance } from 'node:perf_hooks';
import { PullSysFlag } from '../src/common/message-const.js';
import { encodePullMessageRequestHeader } from '../src/remoting/protocol/header/pull-message-request-header.js';
import { RemotingClient } from '../src/remoting/remoting-client.js';
import { RemotingCommand } from '../src/remoting/remoting-command.js';
import { RequestCode } from '../src/remoting/request-code.js';
import { ResponseCode } from '../src/remoting/response-code.js';
import { cpuMicros, LatencyHistogram, progress, resolveTopic, round } from './bench-support.js';
import { type PullAnswer, PullConnection } from './pull-connection.js';

export interface ConsumerBenchOptions {
  namesrvAddr: string;
  topic: string;
  group: string;
  count?: number;
  durationSec?: number;
  /** where a queue starts: its last offset (new messages only), its first, or the group's committed one */
  from: 'last' | 'first' | 'committed';
  queueNums: number;
  pullBatchSize: number;
}

export interface ConsumerBenchResult {
  msgsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  failures: number;
  received: number;
  durationSec: number;
  generatorCpuUsPerMsg: number;
}

/** Stop once nothing arrived for this long after the first message. */
const IDLE_STOP_MS = 5000;

export async function runConsumerBench(o: ConsumerBenchOptions): Promise<ConsumerBenchResult> {
  const brokers = await resolveTopic(o.namesrvAddr, o.topic, o.queueNums);
  const client = new RemotingClient();
  const hist = new LatencyHistogram();
  let received = 0;
  let failures = 0;
  let stopped = false;
  let finish: () => void = () => {};
  const done = new Promise<void>((r) => {
    finish = r;
  });
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    finish();
  };

  const startOffset = async (addr: string, queueId: number): Promise<number> => {
    const code =
      o.from === 'committed'
        ? RequestCode.QUERY_CONSUMER_OFFSET
        : o.from === 'first'
          ? RequestCode.GET_MIN_OFFSET
          : RequestCode.GET_MAX_OFFSET;
    const r = await client.invokeSync(
      addr,
      RemotingCommand.request(code, { consumerGroup: o.group, topic: o.topic, queueId }),
      5000,
    );
    if (r.code === ResponseCode.SUCCESS) return Number(r.extFields.offset ?? 0);
    return 0;
  };

  const onMessage = (born: number, receivedAt: number): void => {
    hist.record(receivedAt - born);
    received++;
  };
  // the pulls go over the generator's own connections (one per broker), read without allocating
  const pullConns = new Map<string, PullConnection>();
  for (const b of brokers) pullConns.set(b.addr, await PullConnection.open(b.addr, onMessage));

  const pullLoop = async (addr: string, queueId: number): Promise<void> => {
    let offset = await startOffset(addr, queueId);
    const conn = pullConns.get(addr)!;
    const subVersion = Date.now();
    while (!stopped) {
      const header = encodePullMessageRequestHeader({
        consumerGroup: o.group,
        topic: o.topic,
        queueId,
        queueOffset: offset,
        maxMsgNums: o.pullBatchSize,
        sysFlag: PullSysFlag.FLAG_COMMIT_OFFSET | PullSysFlag.FLAG_SUSPEND | PullSysFlag.FLAG_SUBSCRIPTION,
        commitOffset: offset,
        suspendTimeoutMillis: 15_000,
        subscription: '*',
        subVersion,
        expressionType: 'TAG',
      });
      let r: PullAnswer;
      try {
        r = await conn.pull(RemotingCommand.request(RequestCode.PULL_MESSAGE, header));
      } catch {
        if (stopped) return;
        failures++;
        await new Promise((res) => setTimeout(res, 100));
        continue;
      }
      if (stopped) return;
      if (r.code === ResponseCode.SUCCESS) {
        if (o.count !== undefined && received >= o.count) stop();
      } else if (
        r.code !== ResponseCode.PULL_NOT_FOUND &&
        r.code !== ResponseCode.PULL_RETRY_IMMEDIATELY &&
        r.code !== ResponseCode.PULL_OFFSET_MOVED
      ) {
        failures++;
        await new Promise((res) => setTimeout(res, 100));
        continue;
      }
      if (r.nextBeginOffset >= 0) offset = r.nextBeginOffset;
    }
  };

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let last = 0;
  const stopProgress = progress(() => {
    const rate = received - last;
    last = received;
    return `received ${received} failures ${failures} | ${rate} msgs/s | e2e p99 ${hist.percentile(99)} ms`;
  });
  const timer = o.durationSec !== undefined ? setTimeout(stop, o.durationSec * 1000) : undefined;
  // a counted run whose messages are not all there (a producer run with failures) must still end
  let lastCount = -1;
  let lastChange = performance.now();
  const idle = setInterval(() => {
    if (received !== lastCount) {
      lastCount = received;
      lastChange = performance.now();
    } else if (received > 0 && performance.now() - lastChange > IDLE_STOP_MS) stop();
  }, 500);
  const loops: Promise<void>[] = [];
  for (const b of brokers) for (let q = 0; q < b.readQueueNums; q++) loops.push(pullLoop(b.addr, q));
  await done;
  // an idle stop does not count the idle wait as consuming time
  const endedAt =
    received > 0 && performance.now() - lastChange > IDLE_STOP_MS ? lastChange : performance.now();
  const elapsed = (endedAt - t0) / 1000;
  const cpu = cpuMicros(cpu0);
  if (timer) clearTimeout(timer);
  clearInterval(idle);
  stopProgress();
  await client.shutdown();
  for (const c of pullConns.values()) c.close();
  await Promise.allSettled(loops);
  return {
    msgsPerSec: Math.round(received / elapsed),
    p50Ms: hist.percentile(50),
    p99Ms: hist.percentile(99),
    maxMs: round(hist.max),
    failures,
    received,
    durationSec: round(elapsed),
    generatorCpuUsPerMsg: round(cpu / Math.max(1, received)),
  };
}
