/**
 * The master-kill fault with an unmodified RocketMQ 4.x client, ali-ons 3.12: one NameServer, two
 * broker groups (ASYNC_MASTER + SLAVE each, real `cometmq broker` processes). An ali-ons producer
 * sends continuously while master A is SIGKILLed: its retries carry the sends to group B. An ali-ons
 * push consumer group started after the kill reads A's messages from A's slave (ali-ons picks any
 * broker of the group when the master is gone) and commits its offsets there; A restarts: it lost
 * nothing acknowledged, and the consumer ends with every acknowledged message.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessages } from '../../src/common/message-decoder.js';
import { decodeKVTable } from '../../src/remoting/protocol/body/kv-table.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { BrokerTestClient } from '../broker/broker-test-client.js';
import { type RunningProcess, startBroker, startNamesrv, tempDir } from '../helpers/cometmq-processes.js';
import { waitUntil } from '../helpers/wait.js';

interface AliMessage {
  body: Buffer;
  properties: Record<string, string>;
}
interface AliClient {
  ready(): Promise<void>;
  close(): Promise<void>;
  on(event: 'error', fn: (err: Error) => void): void;
}
interface AliProducer extends AliClient {
  send(msg: AliMessage): Promise<{ sendStatus: string; messageQueue: { brokerName: string } }>;
}
interface AliConsumer extends AliClient {
  subscribe(topic: string, expr: string, handler: (msg: AliMessage) => Promise<void>): void;
}

const require = createRequire(import.meta.url);
const ons = require('ali-ons') as {
  Producer: new (opts: Record<string, unknown>) => AliProducer;
  Consumer: new (opts: Record<string, unknown>) => AliConsumer;
  Message: new (topic: string, tags: string, body: string | Buffer) => AliMessage;
};

const TOPIC = 'AliFailoverTopic';
const GROUP = 'GID_ALI_FAILOVER';
const QUEUES = 4;
const COMMON = ['--flushIntervalCommitLog=100', '--registerNameServerPeriod=10000'];
// ali-ons needs an http client only to look NameServers up over HTTP; with nameSrv given it is unused
const httpclient = { request: () => Promise.reject(new Error('not used')) };
const silentLogger = { info() {}, warn() {}, error() {}, debug() {} };

type Dir = { path: string; remove(): Promise<void> };
interface Group {
  name: string;
  masterDir: Dir;
  slaveDir: Dir;
  master?: RunningProcess;
  slave?: RunningProcess;
}

let namesrv: RunningProcess | undefined;
const groups: Group[] = [];
const clients: BrokerTestClient[] = [];
const aliClients: AliClient[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function client(addr: string): BrokerTestClient {
  const c = new BrokerTestClient(addr);
  clients.push(c);
  return c;
}

function startMaster(g: Group): Promise<RunningProcess> {
  return startBroker({
    namesrvAddr: namesrv!.addr,
    storePathRootDir: g.masterDir.path,
    brokerName: g.name,
    extra: [...COMMON, '--brokerRole=ASYNC_MASTER', '--brokerId=0'],
  });
}

/** Per queue: messages stored (GET_MAX_OFFSET) and the group's committed offset, summed. */
async function queueSums(c: BrokerTestClient): Promise<{ stored: number; committed: number }> {
  let stored = 0;
  let committed = 0;
  for (let q = 0; q < QUEUES; q++) {
    const m = await c.invoke(RequestCode.GET_MAX_OFFSET, { topic: TOPIC, queueId: q });
    stored += Number(m.extFields.offset);
    const o = await c.invoke(RequestCode.QUERY_CONSUMER_OFFSET, {
      consumerGroup: GROUP,
      topic: TOPIC,
      queueId: q,
    });
    if (o.code === ResponseCode.SUCCESS) committed += Number(o.extFields.offset);
  }
  return { stored, committed };
}

async function allBodies(c: BrokerTestClient): Promise<Set<string>> {
  const out = new Set<string>();
  for (let q = 0; q < QUEUES; q++) {
    let offset = 0;
    for (let rounds = 0; rounds < 2000; rounds++) {
      const r = await c.pull('AliFailoverCheck', TOPIC, q, offset, { maxMsgNums: 32 });
      if (r.code !== ResponseCode.SUCCESS) break;
      for (const m of decodeMessages(r.body!)) out.add(m.body.toString());
      offset = Number(r.extFields.nextBeginOffset);
    }
  }
  return out;
}

beforeAll(async () => {
  namesrv = await startNamesrv();
  for (const name of ['ali-a', 'ali-b'])
    groups.push({
      name,
      masterDir: await tempDir(`cometmq-alifo-${name}-m-`),
      slaveDir: await tempDir(`cometmq-alifo-${name}-s-`),
    });
  // both groups at once: each waits for its slave's link and for SlaveSynchronize to copy the topic
  await Promise.all(
    groups.map(async (g) => {
      g.master = await startMaster(g);
      g.slave = await startBroker({
        namesrvAddr: namesrv!.addr,
        storePathRootDir: g.slaveDir.path,
        brokerName: g.name,
        extra: [...COMMON, '--brokerRole=SLAVE', '--brokerId=1', '--slaveReadEnable=true'],
      });
      const mc = client(g.master.addr);
      const sc = client(g.slave.addr);
      expect((await mc.createTopic(TOPIC, QUEUES)).code).toBe(ResponseCode.SUCCESS);
      await waitUntil(
        `${g.name} slave link`,
        async () =>
          decodeKVTable((await mc.invoke(RequestCode.GET_BROKER_RUNTIME_INFO)).body!).table
            .haConnectionCount === '1',
        20_000,
      );
      await waitUntil(
        `${g.name} slave topic`,
        async () =>
          (await sc.invoke(RequestCode.GET_ALL_TOPIC_CONFIG)).body?.toString().includes(TOPIC) ?? false,
        20_000,
      );
    }),
  );
}, 90_000);

afterAll(async () => {
  for (const c of aliClients) await c.close().catch(() => {});
  for (const c of clients) await c.close();
  for (const g of groups) {
    await g.slave?.kill();
    await g.master?.kill();
  }
  await namesrv?.kill();
  for (const g of groups) {
    await g.masterDir.remove();
    await g.slaveDir.remove();
  }
}, 30_000);

describe('failover with ali-ons clients', () => {
  it('a SIGKILLed master: ali-ons sends go on to the other group, an ali-ons consumer reads the rest from the slave, nothing acknowledged is missing after the restart', async () => {
    const [a, b] = groups as [Group, Group];
    const common = {
      httpclient,
      nameSrv: namesrv!.addr,
      logger: silentLogger,
      accessKeyId: '',
      accessKeySecret: '',
      pollNameServerInteval: 1000, // (sic) ali-ons's spelling
      persistConsumerOffsetInterval: 1000,
      rebalanceInterval: 2000,
    };
    const producer = new ons.Producer({ ...common, producerGroup: 'PID_ALI_FAILOVER', sendMsgTimeout: 1000 });
    aliClients.push(producer);
    producer.on('error', () => {}); // connection errors to the dead master are expected
    await producer.ready();

    const acked = new Map<string, { broker: string; at: number }>();
    const failures: { at: number; err: string }[] = [];
    let next = 0;
    let stop = false;
    const senders = Array.from({ length: 4 }, async () => {
      while (!stop && next < 100_000) {
        const body = `ali-${next++}`;
        try {
          const r = await producer.send(new ons.Message(TOPIC, 'TagA', body));
          if (r.sendStatus === 'SEND_OK')
            acked.set(body, { broker: r.messageQueue.brokerName, at: Date.now() });
          else failures.push({ at: Date.now(), err: r.sendStatus });
        } catch (err) {
          failures.push({ at: Date.now(), err: String(err) });
          await sleep(20);
        }
      }
    });
    const ackedBy = (broker: string, since = 0) =>
      [...acked.values()].filter((x) => x.broker === broker && x.at >= since).length;
    await waitUntil('sends to both groups', () => ackedBy(a.name) > 500 && ackedBy(b.name) > 500, 20_000);

    const killedAt = Date.now();
    await a.master!.kill();
    await sleep(4000); // ali-ons polls the route every second (pollNameServerInteval)
    const settledAt = Date.now();
    await sleep(2000);
    stop = true;
    await Promise.all(senders);
    const ackedByA = [...acked].filter(([, x]) => x.broker === a.name).map(([body]) => body);
    console.log(
      `ali-ons failover: acked ${acked.size} (${ackedByA.length} by A), failures ${failures.length}, ` +
        `by A after the kill ${ackedBy(a.name, killedAt)}, by B after settling ${ackedBy(b.name, settledAt)}`,
    );
    if (failures.length > 0)
      console.log(`ali-ons failures: ${[...new Set(failures.map((f) => f.err))].join(' | ')}`);
    // at most the sends in flight at the kill, and none once the route settled
    expect(failures.filter((f) => f.at >= killedAt).length).toBeLessThanOrEqual(4);
    expect(failures.filter((f) => f.at >= settledAt)).toEqual([]);
    expect(ackedBy(a.name, settledAt)).toBe(0);
    expect(ackedBy(b.name, settledAt)).toBeGreaterThan(50);

    // the consumer group starts while A is down: A's queues come from A's slave
    const received = new Map<string, number>();
    const consumer = new ons.Consumer({
      ...common,
      consumerGroup: GROUP,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      pullBatchSize: 32,
      parallelConsumeLimit: 16,
    });
    aliClients.push(consumer);
    consumer.on('error', () => {});
    consumer.subscribe(TOPIC, '*', async (msg) => {
      const body = msg.body.toString();
      received.set(body, (received.get(body) ?? 0) + 1);
    });
    await consumer.ready();
    const missing = () => [...acked.keys()].filter((k) => !received.has(k));
    // ASYNC_MASTER: what A wrote last may not have reached its slave; everything else must come
    const slaveA = client(a.slave!.addr);
    const onSlaveA = await allBodies(slaveA);
    const lackedBySlave = ackedByA.filter((body) => !onSlaveA.has(body));
    expect(lackedBySlave.length).toBeLessThanOrEqual(ackedByA.length / 10);
    await waitUntil(
      'every acknowledged message the slave has consumed',
      () => missing().length === lackedBySlave.length,
      20_000,
    ).catch(() => {});
    const missingBeforeRestart = missing();
    expect(missingBeforeRestart.sort()).toEqual(lackedBySlave.sort());
    let onSlave = { stored: 0, committed: 0 };
    await waitUntil(
      'ali-ons offsets committed to the slave',
      async () => {
        onSlave = await queueSums(slaveA);
        return onSlave.committed === onSlave.stored;
      },
      10_000,
    ).catch(() => {});
    expect(onSlave.stored).toBeGreaterThanOrEqual(ackedByA.length - missingBeforeRestart.length);
    expect(onSlave.committed).toBe(onSlave.stored);

    // A restarts: it has everything it acknowledged; the consumer gets what the slave lacked
    a.master = await startMaster(a);
    const onA = await allBodies(client(a.master.addr));
    expect(ackedByA.filter((body) => !onA.has(body)).slice(0, 10)).toEqual([]);
    await waitUntil('the rest consumed', () => missing().length === 0, 20_000).catch(() => {});
    const duplicates = [...received.values()].reduce((s, n) => s + n - 1, 0);
    console.log(
      `ali-ons failover: consumed ${received.size} distinct, ${duplicates} duplicates, ` +
        `${missingBeforeRestart.length} missing before A's restart, ${missing().length} after`,
    );
    expect(missing().slice(0, 10)).toEqual([]);
  }, 90_000);
});
