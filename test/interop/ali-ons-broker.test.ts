/**
 * Interop with an unmodified RocketMQ 4.x client: ali-ons (pure JS, written against the Java broker)
 * produces 1,000 messages with tags, keys and a user property to a topic of 8 queues on a real
 * `cometmq broker`, and an ali-ons push consumer group receives every one of them intact.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemotingClient } from '../../src/remoting/remoting-client.js';
import { RemotingCommand } from '../../src/remoting/remoting-command.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { type RunningProcess, startBroker, startNamesrv, tempDir } from '../helpers/cometmq-processes.js';

interface AliMessage {
  topic: string;
  tags: string;
  keys: string[] | string;
  body: Buffer;
  msgId: string;
  queueId: number;
  properties: Record<string, string>;
}
interface AliClient {
  ready(): Promise<void>;
  close(): Promise<void>;
  on(event: 'error', fn: (err: Error) => void): void;
}
interface AliProducer extends AliClient {
  send(msg: AliMessage): Promise<{ sendStatus: string; msgId: string; messageQueue: { queueId: number } }>;
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

const TOPIC = 'AliOnsInteropT';
const COUNT = 1000;
// ali-ons requires an http client only to look NameServers up over HTTP; with nameSrv given it is unused
const httpclient = {
  request: () => Promise.reject(new Error('not used')),
};
const silentLogger = { info() {}, warn() {}, error() {}, debug() {} };

let namesrv: RunningProcess;
let broker: RunningProcess;
let dir: { path: string; remove(): Promise<void> };
const admin = new RemotingClient();

beforeAll(async () => {
  dir = await tempDir('cometmq-ali-ons-');
  namesrv = await startNamesrv();
  broker = await startBroker({ namesrvAddr: namesrv.addr, storePathRootDir: dir.path });
  const created = await admin.invokeSync(
    broker.addr,
    RemotingCommand.request(RequestCode.UPDATE_AND_CREATE_TOPIC, {
      topic: TOPIC,
      defaultTopic: 'TBW102',
      readQueueNums: 8,
      writeQueueNums: 8,
      perm: 6,
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: 0,
      order: false,
    }),
    5000,
  );
  expect(created.code).toBe(ResponseCode.SUCCESS);
  const end = Date.now() + 10_000;
  for (;;) {
    const r = await admin.invokeSync(
      namesrv.addr,
      RemotingCommand.request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: TOPIC }),
      5000,
    );
    if (r.code === ResponseCode.SUCCESS) break;
    if (Date.now() > end) throw new Error('topic route did not appear');
    await new Promise((res) => setTimeout(res, 100));
  }
});

afterAll(async () => {
  await admin.shutdown();
  await broker?.kill();
  await namesrv?.kill();
  await dir?.remove();
});

describe('ali-ons against cometmq broker', () => {
  it('a producer sends 1,000 messages to 8 queues and a push consumer group receives each intact', async () => {
    const common = {
      httpclient,
      nameSrv: namesrv.addr,
      logger: silentLogger,
      accessKeyId: '',
      accessKeySecret: '',
    };
    const consumer = new ons.Consumer({
      ...common,
      consumerGroup: 'GID_COMETMQ_INTEROP',
      persistent: false,
      pullBatchSize: 32,
      parallelConsumeLimit: 16,
    });
    const producer = new ons.Producer({ ...common, producerGroup: 'PID_COMETMQ_INTEROP' });
    const errors: Error[] = [];
    consumer.on('error', (e) => errors.push(e));
    producer.on('error', (e) => errors.push(e));
    const received = new Map<number, AliMessage>();
    let allReceived: () => void = () => {};
    const done = new Promise<void>((r) => {
      allReceived = r;
    });
    try {
      consumer.subscribe(TOPIC, '*', async (msg) => {
        const idx = Number(msg.properties.idx);
        received.set(idx, msg);
        if (received.size === COUNT) allReceived();
      });
      await consumer.ready();
      await producer.ready();

      const queues = new Set<number>();
      const sentIds = new Map<number, string>();
      for (let start = 0; start < COUNT; start += 50) {
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, j) => {
            const i = start + j;
            const msg = new ons.Message(TOPIC, `Tag${i % 4}`, `body-${i}-${'x'.repeat(i % 100)}`);
            msg.keys = [`key-${i}`, `k2-${i}`];
            msg.properties.idx = String(i);
            return producer.send(msg);
          }),
        );
        results.forEach((r, j) => {
          sentIds.set(start + j, r.msgId);
          expect(r.sendStatus).toBe('SEND_OK');
          expect(r.msgId).toMatch(/^[0-9A-F]{32}$/);
          queues.add(r.messageQueue.queueId);
        });
      }
      expect(queues.size).toBe(8);

      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`received ${received.size} of ${COUNT}`)), 60_000),
      );
      await Promise.race([done, timeout]);
      for (let i = 0; i < COUNT; i++) {
        const m = received.get(i)!;
        expect(m.topic).toBe(TOPIC);
        expect(m.body.toString()).toBe(`body-${i}-${'x'.repeat(i % 100)}`);
        expect(m.tags).toBe(`Tag${i % 4}`);
        expect(m.properties.KEYS).toBe(`key-${i} k2-${i}`);
        expect(m.properties.idx).toBe(String(i));
        // ali-ons 3.12 sets no UNIQ_KEY: its msgId is the broker's offset msgId, on both sides
        expect(m.msgId).toBe(sentIds.get(i));
      }
      expect(errors).toEqual([]);
    } finally {
      await producer.close();
      await consumer.close();
    }
  });
});
