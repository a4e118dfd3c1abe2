/**
 * What the network benchmarks share: route lookup (creating the topic when missing), a latency
 * histogram, CPU accounting and the live progress line.
 */

import { parseLenientJson } from '../src/common/lenient-json.js';
import { encodeCreateTopicRequestHeader } from '../src/remoting/protocol/header/create-topic-request-header.js';
import {
  decodeTopicRouteData,
  type TopicRouteData,
} from '../src/remoting/protocol/route/topic-route-data.js';
import { RemotingClient } from '../src/remoting/remoting-client.js';
import { RemotingCommand } from '../src/remoting/remoting-command.js';
import { RequestCode } from '../src/remoting/request-code.js';
import { ResponseCode } from '../src/remoting/response-code.js';

export interface MasterQueues {
  brokerName: string;
  addr: string;
  writeQueueNums: number;
  readQueueNums: number;
}

function masters(route: TopicRouteData): MasterQueues[] {
  const out: MasterQueues[] = [];
  for (const qd of route.queueDatas) {
    const bd = route.brokerDatas.find((b) => b.brokerName === qd.brokerName);
    const addr = bd?.brokerAddrs.get(0);
    if (addr)
      out.push({
        brokerName: qd.brokerName,
        addr,
        writeQueueNums: qd.writeQueueNums,
        readQueueNums: qd.readQueueNums,
      });
  }
  return out;
}

/** The topic's master queues; creates the topic (queueNums per master) on every master when missing. */
export async function resolveTopic(
  namesrvAddr: string,
  topic: string,
  queueNums: number,
): Promise<MasterQueues[]> {
  const client = new RemotingClient();
  const ns = namesrvAddr.split(';')[0]!.trim();
  try {
    const getRoute = async (): Promise<TopicRouteData | undefined> => {
      const r = await client.invokeSync(
        ns,
        RemotingCommand.request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }),
        5000,
      );
      if (r.code === ResponseCode.SUCCESS && r.body) return decodeTopicRouteData(r.body);
      return undefined;
    };
    let route = await getRoute();
    if (route && masters(route).length > 0) return masters(route);
    const info = await client.invokeSync(
      ns,
      RemotingCommand.request(RequestCode.GET_BROKER_CLUSTER_INFO),
      5000,
    );
    if (info.code !== ResponseCode.SUCCESS || !info.body)
      throw new Error(`GET_BROKER_CLUSTER_INFO failed: ${info.remark}`);
    const table = (
      parseLenientJson(info.body) as {
        brokerAddrTable?: Record<string, { brokerAddrs?: Record<string, string> }>;
      }
    ).brokerAddrTable;
    const addrs = Object.values(table ?? {})
      .map((b) => b.brokerAddrs?.['0'])
      .filter((a): a is string => typeof a === 'string');
    if (addrs.length === 0) throw new Error('no master broker registered with the NameServer');
    for (const addr of addrs) {
      const header = encodeCreateTopicRequestHeader({
        topic,
        defaultTopic: 'TBW102',
        readQueueNums: queueNums,
        writeQueueNums: queueNums,
        perm: 6,
        topicFilterType: 'SINGLE_TAG',
        topicSysFlag: 0,
        order: false,
      });
      const r = await client.invokeSync(
        addr,
        RemotingCommand.request(RequestCode.UPDATE_AND_CREATE_TOPIC, header),
        5000,
      );
      if (r.code !== ResponseCode.SUCCESS)
        throw new Error(`UPDATE_AND_CREATE_TOPIC on ${addr} failed: ${r.remark}`);
    }
    for (let i = 0; i < 100; i++) {
      route = await getRoute();
      if (route && masters(route).length > 0) return masters(route);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`topic ${topic} created but no route appeared`);
  } finally {
    await client.shutdown();
  }
}

/** Latencies in 10 us buckets up to 60 s; percentiles without keeping every sample. */
export class LatencyHistogram {
  private readonly buckets = new Uint32Array(6_000_000);
  count = 0;
  max = 0;

  record(ms: number): void {
    const i = Math.min(this.buckets.length - 1, Math.max(0, Math.round(ms * 100)));
    this.buckets[i]!++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  percentile(p: number): number {
    if (this.count === 0) return 0;
    const target = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= target) return i / 100;
    }
    return this.max;
  }
}

/** Live progress on a terminal, once a second; nothing when stdout is not a TTY. */
export function progress(line: () => string): () => void {
  if (!process.stdout.isTTY) return () => {};
  const t = setInterval(() => process.stdout.write(`\r${line()}\u001b[K`), 1000);
  return () => {
    clearInterval(t);
    process.stdout.write('\r\u001b[K');
  };
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** CPU microseconds this process spent since `start`. */
export function cpuMicros(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return d.user + d.system;
}
