/**
 * Issue 10 item 6, files across implementations: a store folder a `cometmq broker` wrote and closed
 * cleanly (SIGTERM) is served by the reference RocketMQ 4.9.8 broker started on the same
 * storePathRootDir, and the reverse. Every message reads back byte for byte (the same offsets, hosts,
 * timestamps and properties), the topics' queue counts (config/topics.json, parsed by fastjson or by us)
 * show in the route, the group's committed offsets (config/consumerOffset.json) answer
 * QUERY_CONSUMER_OFFSET, and the next message stored continues both the queue and the CommitLog.
 * Both brokers use the same file sizes (the reference needs mappedFileSizeCommitLog to match the files).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLenientJson } from '../../src/common/lenient-json.js';
import {
  LitePullConsumer,
  Message,
  type MessageExt,
  type MessageQueue,
  Producer,
  type SendResult,
} from '../../src/index.js';
import { RequestCode as RC } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { type RunningProcess, startBroker, startNamesrv, tempDir } from '../helpers/cometmq-processes.js';
import { cometmqBuilt } from '../helpers/interop-cluster.js';
import {
  type ReferenceServer,
  referenceAvailable,
  startReferenceBroker,
} from '../helpers/reference-processes.js';
import { WireProbe } from '../helpers/wire-probe.js';

const ready = referenceAvailable() && cometmqBuilt();
const skipReason = ready ? '' : ' [skipped: needs the reference (shared/reference) and `npm run build`]';

const BROKER_NAME = 'files-broker';
/** The sizes startBroker gives a cometmq broker; the reference gets the same so that it maps the files. */
const STORE_KEYS = {
  mappedFileSizeCommitLog: 16 * 1024 * 1024,
  mappedFileSizeConsumeQueue: 60_000,
  maxHashSlotNum: 1000,
  maxIndexNum: 4000,
  flushDiskType: 'ASYNC_FLUSH',
};
const TOPICS: Record<string, number> = { FilesTopicA: 4, FilesTopicB: 2 };
const COUNT = 300;
const GROUP = 'FilesGroup';
/** 12 bodies of 1.5 MiB of incompressible bytes (18 MiB in all: past the first 16 MiB CommitLog file) */
const BIG = 1536 * 1024;
const noise = randomBytes(BIG + 300);
function bodyOf(i: number, writer: string): Buffer {
  if (i % 25 === 0) return noise.subarray(i, i + BIG);
  if (i % 7 === 0) return Buffer.alloc(2000 + i, i & 0xff);
  return Buffer.from(`files-${writer}-${i}`);
}
/** properties the client adds to what it pulls (from the pull response), not stored */
const CLIENT_SIDE = new Set(['MIN_OFFSET', 'MAX_OFFSET']);

type Impl = 'cometmq' | 'reference';

interface Broker {
  addr: string;
  /** graceful stop (SIGTERM, waited for); resolves to the exit code */
  stop(): Promise<number | null>;
  /** last resort in afterAll */
  kill(): Promise<void>;
  /** the reference's store.log (under its RMQ_DATA); '' for cometmq */
  storeLog(): Promise<string>;
}

async function startImpl(impl: Impl, namesrvAddr: string, storePathRootDir: string): Promise<Broker> {
  if (impl === 'cometmq') {
    const b: RunningProcess = await startBroker({
      namesrvAddr,
      storePathRootDir,
      brokerName: BROKER_NAME,
      extra: ['--flushDiskType=ASYNC_FLUSH'],
    });
    return { addr: b.addr, stop: () => b.terminate(30_000), kill: () => b.kill(), storeLog: async () => '' };
  }
  const r: ReferenceServer = await startReferenceBroker({
    namesrvAddr,
    brokerName: BROKER_NAME,
    extra: { ...STORE_KEYS, storePathRootDir, storePathCommitLog: `${storePathRootDir}/commitlog` },
  });
  return {
    addr: r.addr,
    stop: () => r.process.stop(30_000),
    kill: () => r.shutdown(),
    storeLog: () => readFile(join(r.dataDir, 'logs/rocketmqlogs/store.log'), 'utf8').catch(() => ''),
  };
}

/** What identifies a stored message, independent of which broker serves it. */
function stored(m: MessageExt): Record<string, unknown> {
  const properties = Object.fromEntries(Object.entries(m.properties).filter(([k]) => !CLIENT_SIDE.has(k)));
  return {
    topic: m.topic,
    queueId: m.queueId,
    queueOffset: m.queueOffset,
    commitLogOffset: m.commitLogOffset,
    storeSize: m.storeSize,
    sysFlag: m.sysFlag,
    flag: m.flag,
    bornTimestamp: m.bornTimestamp,
    bornHost: m.bornHost,
    storeTimestamp: m.storeTimestamp,
    storeHost: m.storeHost,
    offsetMsgId: m.offsetMsgId,
    bodyCRC: m.bodyCRC,
    reconsumeTimes: m.reconsumeTimes,
    body: m.body.toString('base64'),
    properties,
  };
}

/** Every message of the topic, each queue read from offset 0 with LitePullConsumer.assign. */
async function readAll(
  namesrvAddr: string,
  topic: string,
  expected: number,
  tag: string,
): Promise<MessageExt[]> {
  const c = new LitePullConsumer({
    group: `FilesReader_${tag}`,
    namesrvAddr,
    instanceName: `files-reader-${tag}`,
    autoCommit: false,
  });
  await c.start();
  const out: MessageExt[] = [];
  try {
    const mqs: MessageQueue[] = await c.fetchMessageQueues(topic);
    c.assign(mqs);
    for (const mq of mqs) await c.seek(mq, 0);
    const deadline = Date.now() + 20_000;
    while (out.length < expected && Date.now() < deadline) out.push(...(await c.poll(300)));
  } finally {
    await c.shutdown();
  }
  return out.sort((a, b) => a.commitLogOffset - b.commitLogOffset);
}

async function routeQueues(probe: WireProbe, topic: string): Promise<unknown[]> {
  const r = await probe.invoke(probe.namesrvAddr, RC.GET_ROUTEINFO_BY_TOPIC, { topic });
  if (r.code !== ResponseCode.SUCCESS || !r.body) return [];
  const route = parseLenientJson(r.body) as {
    brokerDatas: { brokerName: string; brokerAddrs: Record<string, string> }[];
    queueDatas: { brokerName: string; readQueueNums: number; writeQueueNums: number; perm: number }[];
  };
  return route.queueDatas.map((q) => ({
    brokerName: q.brokerName,
    brokerAddr: route.brokerDatas.find((b) => b.brokerName === q.brokerName)?.brokerAddrs['0'],
    readQueueNums: q.readQueueNums,
    writeQueueNums: q.writeQueueNums,
    perm: q.perm,
  }));
}

const SUB_GROUP = {
  groupName: 'FilesSubGroup',
  consumeEnable: true,
  consumeFromMinEnable: true,
  consumeBroadcastEnable: false,
  retryQueueNums: 3,
  retryMaxTimes: 7,
  brokerId: 0,
  whichBrokerWhenConsumeSlowly: 1,
  notifyConsumerIdsChangedEnable: false,
};

/** Our topics' TopicConfig and our subscription group's config, as the broker answers them. */
async function configs(probe: WireProbe): Promise<Record<string, unknown>> {
  const t = await probe.invoke(probe.brokerAddr, RC.GET_ALL_TOPIC_CONFIG);
  const g = await probe.invoke(probe.brokerAddr, RC.GET_ALL_SUBSCRIPTIONGROUP_CONFIG);
  expect([t.code, g.code]).toEqual([ResponseCode.SUCCESS, ResponseCode.SUCCESS]);
  const topics = (parseLenientJson(t.body!) as { topicConfigTable: Record<string, unknown> })
    .topicConfigTable;
  const groups = (parseLenientJson(g.body!) as { subscriptionGroupTable: Record<string, unknown> })
    .subscriptionGroupTable;
  return {
    ...Object.fromEntries(Object.keys(TOPICS).map((k) => [k, topics[k]])),
    [SUB_GROUP.groupName]: groups[SUB_GROUP.groupName],
  };
}

/**
 * What a clean stop leaves: no `abort` file (so the next broker recovers "normally"), a checkpoint, and
 * files named by their 20-digit start offsets with the configured sizes (name:size).
 */
async function storeLayout(root: string): Promise<Record<string, unknown>> {
  const files = async (dir: string): Promise<string[]> =>
    Promise.all((await readdir(dir)).map(async (f) => `${f}:${(await stat(join(dir, f))).size}`)).then((l) =>
      l.sort(),
    );
  const cq: string[] = [];
  for (const t of Object.keys(TOPICS))
    for (const q of await readdir(join(root, 'consumequeue', t)))
      for (const f of await files(join(root, 'consumequeue', t, q))) cq.push(`${t}/${q}/${f}`);
  const config = (await readdir(join(root, 'config'))).filter((f) =>
    ['topics.json', 'consumerOffset.json', 'subscriptionGroup.json'].includes(f),
  );
  return {
    abort: existsSync(join(root, 'abort')),
    checkpoint: existsSync(join(root, 'checkpoint')),
    commitlog: await files(join(root, 'commitlog')),
    consumequeue: cq.sort(),
    config: config.sort(),
  };
}

describe.skipIf(!ready)(`store files across implementations${skipReason}`, () => {
  describe.each([
    ['cometmq', 'reference'],
    ['reference', 'cometmq'],
  ] as const)('written by %s, served by %s', (writer: Impl, reader: Impl) => {
    const cleanup: (() => Promise<unknown>)[] = [];
    let namesrvAddr = '';
    let storeDir = '';
    const written = new Map<string, MessageExt[]>();
    const sent: SendResult[] = [];
    const committed = new Map<string, number>();
    let writtenConfigs: Record<string, unknown> = {};
    let served: Broker;
    let probe: WireProbe;

    beforeAll(async () => {
      const dir = await tempDir(`cometmq-files-${writer}-`);
      cleanup.push(() => dir.remove());
      storeDir = dir.path;
      const ns = await startNamesrv();
      cleanup.push(() => ns.kill());
      namesrvAddr = ns.addr;
    }, 30_000);

    afterAll(async () => {
      for (const f of cleanup.reverse()) await f().catch(() => undefined);
    }, 60_000);

    it(`${writer} writes messages, topics and offsets, and stops cleanly on SIGTERM`, async () => {
      const broker = await startImpl(writer, namesrvAddr, storeDir);
      cleanup.push(() => broker.kill());
      const producer = new Producer({
        group: 'FilesProducer',
        namesrvAddr,
        instanceName: `files-producer-${writer}`,
        // the 2 KB bodies are stored zlib-compressed (sysFlag COMPRESSED), the rest as they are
        compressMsgBodyOverHowmuch: 1024,
      });
      await producer.start();
      const wprobe = new WireProbe(namesrvAddr, broker.addr);
      try {
        for (const [topic, n] of Object.entries(TOPICS)) await producer.createTopic('TBW102', topic, n);
        const names = Object.keys(TOPICS);
        for (let i = 0; i < COUNT; i++) {
          const topic = names[i % names.length]!;
          const body = bodyOf(i, writer);
          sent.push(
            await producer.send(
              new Message({
                topic,
                body,
                tags: `Tag${i % 3}`,
                keys: [`key-${i}`, `k${i % 10}`],
                properties: { seq: String(i), note: `über ${i}` },
              }),
            ),
          );
        }
        for (const [topic, n] of Object.entries(TOPICS)) {
          for (let q = 0; q < n; q++) {
            const offset = 3 + q * 5;
            expect(await wprobe.updateConsumerOffset(GROUP, topic, q, offset)).toBe(ResponseCode.SUCCESS);
            committed.set(`${topic}:${q}`, offset);
          }
        }
        const sg = await wprobe.invoke(
          broker.addr,
          RC.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
          {},
          Buffer.from(JSON.stringify(SUB_GROUP)),
        );
        expect(sg.code).toBe(ResponseCode.SUCCESS);
        writtenConfigs = await configs(wprobe);
        expect(writtenConfigs[SUB_GROUP.groupName]).toMatchObject(SUB_GROUP);
        for (const [topic, n] of Object.entries(TOPICS))
          expect(writtenConfigs[topic]).toMatchObject({
            topicName: topic,
            readQueueNums: n,
            writeQueueNums: n,
          });
        const perTopic = (t: string): number => sent.filter((r) => r.messageQueue.topic === t).length;
        for (const topic of names) {
          const msgs = await readAll(namesrvAddr, topic, perTopic(topic), `${writer}-w-${topic}`);
          expect(msgs).toHaveLength(perTopic(topic));
          written.set(topic, msgs);
        }
      } finally {
        await producer.shutdown();
        await wprobe.close();
      }
      // a JVM stopped by SIGTERM exits 143 once its shutdown hooks (BrokerController.shutdown) ran
      expect(await broker.stop()).toBe(writer === 'reference' ? 143 : 0);
      expect(await storeLayout(storeDir)).toEqual({
        abort: false,
        checkpoint: true,
        // the big bodies push the CommitLog into a second file (the first ends with a blank filler)
        commitlog: ['00000000000000000000:16777216', '00000000000016777216:16777216'],
        consumequeue: Object.entries(TOPICS)
          .flatMap(([t, n]) => Array.from({ length: n }, (_, q) => `${t}/${q}/00000000000000000000:60000`))
          .sort(),
        config: ['consumerOffset.json', 'subscriptionGroup.json', 'topics.json'],
      });
    }, 120_000);

    it(`${reader} serves the same folder: topics, every message, committed offsets`, async () => {
      expect(written.size).toBe(Object.keys(TOPICS).length);
      served = await startImpl(reader, namesrvAddr, storeDir);
      cleanup.push(() => served.kill());
      probe = new WireProbe(namesrvAddr, served.addr);
      cleanup.push(() => probe.close());

      if (reader === 'reference') {
        // DefaultMessageStore.load: no `abort` file, so the reference trusts the checkpoint and our files
        const log = await served.storeLog();
        expect(log).toMatch(/last shutdown normally/);
        expect(log).not.toMatch(/recover abnormally|load exception/i);
      }
      // topics.json: the queue counts come back in the route, now pointing at the new broker
      for (const [topic, n] of Object.entries(TOPICS)) {
        expect(await routeQueues(probe, topic)).toEqual([
          { brokerName: BROKER_NAME, brokerAddr: served.addr, readQueueNums: n, writeQueueNums: n, perm: 6 },
        ]);
      }
      // topics.json and subscriptionGroup.json: every field as the writer answered it
      expect(await configs(probe)).toEqual(writtenConfigs);
      // every message, byte for byte as the writer served it
      for (const [topic, before] of written) {
        const after = await readAll(namesrvAddr, topic, before.length, `${reader}-r-${topic}`);
        expect(after.map(stored)).toEqual(before.map(stored));
      }
      // and as the producer sent it
      const all = [...written.values()].flat();
      const byUniq = new Map(all.map((m) => [m.msgId, m]));
      for (const [i, r] of sent.entries()) {
        const m = byUniq.get(r.msgId);
        expect(m, `message ${i}`).toBeDefined();
        expect(m!.body.equals(bodyOf(i, writer)), `body ${i}`).toBe(true);
        expect([m!.tags, m!.keys, m!.properties.seq, m!.properties.note, m!.queueOffset]).toEqual([
          `Tag${i % 3}`,
          `key-${i} k${i % 10}`,
          String(i),
          `über ${i}`,
          r.queueOffset,
        ]);
      }
      // MessageSysFlag.COMPRESSED_FLAG survived on every body over 1 KiB
      const compressed = sent.filter((_, i) => i % 25 === 0 || i % 7 === 0).length;
      expect(all.filter((m) => (m.sysFlag & 1) === 1)).toHaveLength(compressed);
      // consumerOffset.json
      for (const [key, offset] of committed) {
        const [topic, q] = key.split(':');
        expect([key, await probe.consumerOffset(GROUP, topic!, Number(q))]).toEqual([key, offset]);
      }
    }, 120_000);

    it(`${reader} appends after the writer's last message (queue and CommitLog continue)`, async () => {
      const topic = 'FilesTopicB';
      const before = written.get(topic)!;
      const maxQ0 = before.filter((m) => m.queueId === 0).length;
      const ext = await probe.send(topic, 'after-restart', { queueId: 0, tags: 'TagZ', keys: 'after' });
      expect(Number(ext.queueOffset)).toBe(maxQ0);
      const allLast = [...written.values()]
        .flat()
        .reduce((a, m) => (m.commitLogOffset > a.commitLogOffset ? m : a));
      const pulled = await probe.pullQueue(topic, 0, maxQ0);
      expect(pulled.map((m) => m.body.toString())).toEqual(['after-restart']);
      expect(pulled[0]!.commitLogOffset).toBe(allLast.commitLogOffset + allLast.storeSize);
    }, 60_000);
  });
});
