/**
 * "When the master returns it takes the offsets back", with real processes: one NameServer, an
 * ASYNC_MASTER and its SLAVE, our SDK's PushConsumer. The group consumes part of a backlog from the
 * master (its offsets persisted there), the master is SIGKILLed, the group consumes the rest from the
 * slave and commits there. The master restarts with its stale offsets on disk; as RocketMQ 4.9.8 does
 * (RemoteBrokerOffsetStore.persistAll to findBrokerAddressInSubscribe(MASTER_ID), and
 * SlaveSynchronize.syncConsumerOffset's putAll of the master's table) the consumer's progress goes
 * back to the master, and the slave's next synchronisation copies that progress, not the stale
 * offsets: a new member of the group, reading offsets from the master and later from the slave alone,
 * receives nothing already consumed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushConsumer } from '../../src/index.js';
import { decodeKVTable } from '../../src/remoting/protocol/body/kv-table.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { BrokerTestClient } from '../broker/broker-test-client.js';
import { type RunningProcess, startBroker, startNamesrv, tempDir } from '../helpers/cometmq-processes.js';
import { waitUntil } from '../helpers/wait.js';

const TOPIC = 'TakeBackTopic';
const GROUP = 'TakeBackGroup';
const QUEUES = 4;
const COUNT = 4000;
const BEFORE_KILL = 1000;
const COMMON = [
  '--flushIntervalCommitLog=100',
  '--flushConsumerOffsetInterval=500',
  '--registerNameServerPeriod=10000',
];

type Dir = { path: string; remove(): Promise<void> };
let namesrv: RunningProcess | undefined;
let master: RunningProcess | undefined;
let slave: RunningProcess | undefined;
let masterDir: Dir | undefined;
let slaveDir: Dir | undefined;
const clients: BrokerTestClient[] = [];
const consumers: PushConsumer[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function client(addr: string): BrokerTestClient {
  const c = new BrokerTestClient(addr);
  clients.push(c);
  return c;
}

function startMaster(): Promise<RunningProcess> {
  return startBroker({
    namesrvAddr: namesrv!.addr,
    storePathRootDir: masterDir!.path,
    brokerName: 'takeback',
    extra: [...COMMON, '--brokerRole=ASYNC_MASTER', '--brokerId=0'],
  });
}

/** The group's committed offsets of TOPIC on one broker, per queue (-1: none). */
async function committed(c: BrokerTestClient, group = GROUP): Promise<number[]> {
  const out: number[] = [];
  for (let q = 0; q < QUEUES; q++) {
    const r = await c.invoke(RequestCode.QUERY_CONSUMER_OFFSET, {
      consumerGroup: group,
      topic: TOPIC,
      queueId: q,
    });
    out.push(r.code === ResponseCode.SUCCESS ? Number(r.extFields.offset) : -1);
  }
  return out;
}

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

function newConsumer(onMessage: (body: string) => Promise<void> | void): PushConsumer {
  const c = new PushConsumer({
    group: GROUP,
    namesrvAddr: namesrv!.addr,
    pollNameServerInterval: 1000,
    persistConsumerOffsetInterval: 1000,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  });
  c.subscribe(TOPIC, '*');
  c.registerMessageListener(async (msgs) => {
    for (const m of msgs) await onMessage(m.bodyText());
    return 'CONSUME_SUCCESS';
  });
  consumers.push(c);
  return c;
}

beforeAll(async () => {
  masterDir = await tempDir('cometmq-takeback-m-');
  slaveDir = await tempDir('cometmq-takeback-s-');
  namesrv = await startNamesrv();
  master = await startMaster();
  slave = await startBroker({
    namesrvAddr: namesrv.addr,
    storePathRootDir: slaveDir.path,
    brokerName: 'takeback',
    extra: [...COMMON, '--brokerRole=SLAVE', '--brokerId=1', '--slaveReadEnable=true'],
  });
}, 60_000);

afterAll(async () => {
  for (const c of consumers) await c.shutdown().catch(() => {});
  for (const c of clients) await c.close();
  await slave?.kill();
  await master?.kill();
  await namesrv?.kill();
  await masterDir?.remove();
  await slaveDir?.remove();
}, 30_000);

describe('a consumer group across a master failure', () => {
  it('commits to the slave while the master is down; the restarted master takes the progress back and the slave does not roll it back', async () => {
    const mc = client(master!.addr);
    const sc = client(slave!.addr);
    expect((await mc.createTopic(TOPIC, QUEUES)).code).toBe(ResponseCode.SUCCESS);
    // the whole backlog is on both before the group starts (ASYNC_MASTER: wait for the slave)
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < COUNT) {
          const i = next++;
          expect((await mc.send(TOPIC, `b${i}`, { queueId: i % QUEUES })).code).toBe(ResponseCode.SUCCESS);
        }
      }),
    );
    const info = async (c: BrokerTestClient) =>
      new Map(
        Object.entries(decodeKVTable((await c.invoke(RequestCode.GET_BROKER_RUNTIME_INFO)).body!).table),
      );
    const masterMax = (await info(mc)).get('commitLogMaxOffset');
    await waitUntil(
      'the slave to catch up',
      async () => (await info(sc)).get('commitLogMaxOffset') === masterMax,
      20_000,
    );
    await waitUntil(
      'the topic on the slave',
      async () =>
        (await sc.invoke(RequestCode.GET_ALL_TOPIC_CONFIG)).body?.toString().includes(TOPIC) ?? false,
      20_000,
    );

    // the group consumes BEFORE_KILL messages from the master, then its listener holds
    const received = new Map<string, number>();
    let open: () => void = () => {};
    const gate = new Promise<void>((r) => {
      open = r;
    });
    let gateOpen = false;
    const consumer = newConsumer(async (body) => {
      if (!gateOpen && received.size >= BEFORE_KILL) await gate;
      received.set(body, (received.get(body) ?? 0) + 1);
    });
    await consumer.start();
    await waitUntil('the first part consumed', () => received.size >= BEFORE_KILL, 20_000);
    let beforeKill: number[] = [];
    await waitUntil(
      'the first part committed to the master',
      async () => {
        beforeKill = await committed(mc);
        return sum(beforeKill) >= BEFORE_KILL - 100;
      },
      10_000,
    );
    await sleep(1500); // the master persists its offsets (flushConsumerOffsetInterval)

    // SIGKILL the master; the rest comes from the slave and the offsets are committed there
    await master!.kill();
    const onDisk = JSON.parse(
      await readFile(join(masterDir!.path, 'config', 'consumerOffset.json'), 'utf8'),
    ) as {
      offsetTable: Record<string, Record<string, number>>;
    };
    const stale = Object.values(onDisk.offsetTable[`${TOPIC}@${GROUP}`] ?? {});
    expect(sum(stale)).toBeGreaterThanOrEqual(BEFORE_KILL - 100);
    expect(sum(stale)).toBeLessThan(COUNT / 2);
    await sleep(1500); // the route drops the master
    gateOpen = true;
    open();
    await waitUntil('everything consumed', () => received.size === COUNT, 30_000);
    let onSlave: number[] = [];
    await waitUntil(
      'the progress committed to the slave',
      async () => {
        onSlave = await committed(sc);
        return sum(onSlave) === COUNT;
      },
      10_000,
    );

    // the master comes back with its stale offsets; the consumer's progress goes to it
    master = await startMaster();
    const restarted = client(master.addr);
    // RocketMQ 4.9.8 leaves a window: a slave that synchronises before the consumer's next persist
    // copies the stale offsets for up to one sync period; sampled here, not asserted
    let lowestOnSlave = COUNT;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        lowestOnSlave = Math.min(lowestOnSlave, sum(await committed(sc)));
        await sleep(200);
      }
    })();
    let onMaster: number[] = [];
    await waitUntil(
      'the progress on the restarted master',
      async () => {
        onMaster = await committed(restarted);
        return sum(onMaster) === COUNT;
      },
      15_000,
    ).catch(() => {});
    console.log(
      `take-back: stale on the master's disk ${sum(stale)}, on the slave ${sum(onSlave)}, on the restarted master ${sum(onMaster)}`,
    );
    expect(onMaster).toEqual(onSlave);

    // the slave synchronises from the restarted master (a marker group committed there after the
    // progress shows it did): the group's offsets on the slave are still the progress
    expect(
      (
        await restarted.invoke(RequestCode.UPDATE_CONSUMER_OFFSET, {
          consumerGroup: 'TakeBackMarker',
          topic: TOPIC,
          queueId: 0,
          commitOffset: 7,
        })
      ).code,
    ).toBe(ResponseCode.SUCCESS);
    await waitUntil(
      'the slave to sync from the restarted master',
      async () => (await committed(sc, 'TakeBackMarker'))[0] === 7,
      30_000,
    );
    sampling = false;
    await sampler;
    console.log(`take-back: lowest group offset sum seen on the slave after the restart ${lowestOnSlave}`);
    expect(await committed(sc)).toEqual(onSlave);
    const duplicates = [...received.values()].filter((n) => n > 1).length;
    expect(duplicates).toBe(0);

    // a new member reads the group's offsets from the master: nothing old comes again. To show it
    // does read and consume, queue 0 is set 3 back on the master first: exactly those 3 come again
    await consumer.shutdown();
    const setBack = async (c: BrokerTestClient): Promise<void> => {
      const r = await c.invoke(RequestCode.UPDATE_CONSUMER_OFFSET, {
        consumerGroup: GROUP,
        topic: TOPIC,
        queueId: 0,
        commitOffset: onSlave[0]! - 3,
      });
      expect(r.code).toBe(ResponseCode.SUCCESS);
    };
    const queueOf = (body: string) => Number(body.slice(1)) % QUEUES;
    await setBack(restarted);
    const again: string[] = [];
    const second = newConsumer((body) => {
      again.push(body);
    });
    await second.start();
    await waitUntil('the 3 set back consumed', () => again.length >= 3, 15_000).catch(() => {});
    await sleep(1000);
    await second.shutdown();
    expect(again.map(queueOf)).toEqual([0, 0, 0]);

    // and from the slave alone, with the master gone again (queue 0 set back there the same way)
    await master.kill();
    await sleep(1500);
    await setBack(sc);
    again.length = 0;
    const third = newConsumer((body) => {
      again.push(body);
    });
    await third.start();
    await waitUntil('the 3 set back consumed from the slave', () => again.length >= 3, 15_000).catch(
      () => {},
    );
    await sleep(1000);
    await third.shutdown();
    expect(again.map(queueOf)).toEqual([0, 0, 0]);
  }, 120_000);
});
