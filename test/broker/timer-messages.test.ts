/**
 * Timer messages (issue 9, beyond RocketMQ 4) with real processes: a NameServer and `cometmq broker`,
 * our SDK (setDeliverTimeMs / setDelayTimeMs / setDelayTimeSec) and ali-ons (setStartDeliverTime) as
 * producers, delivered messages read back with raw PULL_MESSAGE. Checks: never early, the lag bound
 * (loosely: the box is shared; bench/timer-bench.ts measures it), past times at once, the
 * timerMaxDelaySec refusal, delivery after a graceful restart (exactly once) and after a SIGKILL (at
 * least once), and a slave that replicates the timer queue but delivers nothing itself.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageExt } from '../../src/common/message.js';
import { decodeMessages } from '../../src/common/message-decoder.js';
import { Message, MQBrokerError, Producer } from '../../src/index.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { type RunningProcess, startBroker, startNamesrv, tempDir } from '../helpers/cometmq-processes.js';
import { BrokerTestClient, brokerRuntimeInfo } from './broker-test-client.js';
import { useMasterSlavePair } from './master-slave-pair.js';

const QUEUES = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TIMER_ARGS = ['--timerMaxDelaySec=60', '--timerFlushIntervalMs=200'];

interface AliMessage {
  properties: Record<string, string>;
  setStartDeliverTime(ms: number): void;
}
interface AliProducer {
  ready(): Promise<void>;
  close(): Promise<void>;
  on(event: 'error', fn: (err: Error) => void): void;
  send(msg: AliMessage): Promise<{ sendStatus: string }>;
}
const require = createRequire(import.meta.url);
const ons = require('ali-ons') as {
  Producer: new (opts: Record<string, unknown>) => AliProducer;
  Message: new (topic: string, tags: string, body: string | Buffer) => AliMessage;
};

/** Every message of `topic` on `c` (all queues, from offset 0) whose body starts with `prefix`. */
async function pullAll(c: BrokerTestClient, topic: string, prefix: string): Promise<MessageExt[]> {
  const out: MessageExt[] = [];
  for (let q = 0; q < QUEUES; q++) {
    for (let off = 0, guard = 0; guard < 1000; guard++) {
      const r = await c.pull('TIMER_CHECK', topic, q, off, { maxMsgNums: 32 });
      if (r.code !== ResponseCode.SUCCESS || !r.body) break;
      for (const m of decodeMessages(r.body)) if (m.body.toString().startsWith(prefix)) out.push(m);
      const next = Number(r.extFields.nextBeginOffset);
      if (next <= off) break;
      off = next;
    }
  }
  return out;
}

async function pullUntil(
  c: BrokerTestClient,
  topic: string,
  prefix: string,
  want: number,
  ms: number,
): Promise<MessageExt[]> {
  const end = Date.now() + ms;
  let got = await pullAll(c, topic, prefix);
  while (got.length < want && Date.now() < end) {
    await sleep(100);
    got = await pullAll(c, topic, prefix);
  }
  return got;
}

function expectOnTime(msgs: MessageExt[]): number[] {
  const lags: number[] = [];
  for (const m of msgs) {
    const due = Number(m.properties.TIMER_OUT_MS);
    expect(Number.isFinite(due)).toBe(true);
    // never early: the broker stored it into its topic at or after the due time
    expect(m.storeTimestamp).toBeGreaterThanOrEqual(due);
    lags.push(m.storeTimestamp - due);
  }
  return lags.sort((a, b) => a - b);
}

describe('timer messages on one broker', () => {
  let namesrv: RunningProcess | undefined;
  let broker: RunningProcess | undefined;
  let dir: { path: string; remove(): Promise<void> };
  let c: BrokerTestClient;
  let producer: Producer;
  const TOPIC = 'TimerT';

  const startOurBroker = async () => {
    broker = await startBroker({ namesrvAddr: namesrv!.addr, storePathRootDir: dir.path, extra: TIMER_ARGS });
    await c?.close();
    c = new BrokerTestClient(broker.addr);
  };

  beforeAll(async () => {
    dir = await tempDir('cometmq-timer-');
    namesrv = await startNamesrv();
    await startOurBroker();
    expect((await c.createTopic(TOPIC, QUEUES)).code).toBe(ResponseCode.SUCCESS);
    producer = new Producer({ group: 'TimerP', namesrvAddr: namesrv.addr, instanceName: 'timer-p' });
    await producer.start();
  }, 60_000);

  afterAll(async () => {
    await producer?.shutdown();
    await c?.close();
    await broker?.kill();
    await namesrv?.kill();
    await dir?.remove();
  });

  it('delivers TIMER_DELIVER_MS, TIMER_DELAY_MS, TIMER_DELAY_SEC and ali-ons __STARTDELIVERTIME at or after their time', async () => {
    const t = Date.now();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++)
      sends.push(
        producer.send(new Message({ topic: TOPIC, body: `abs-${i}` }).setDeliverTimeMs(t + 1500 + i * 100)),
      );
    for (let i = 0; i < 5; i++)
      sends.push(producer.send(new Message({ topic: TOPIC, body: `ms-${i}` }).setDelayTimeMs(1500)));
    for (let i = 0; i < 5; i++)
      sends.push(producer.send(new Message({ topic: TOPIC, body: `sec-${i}` }).setDelayTimeSec(2)));
    await Promise.all(sends);
    const ali = new ons.Producer({
      httpclient: { request: () => Promise.reject(new Error('not used')) },
      nameSrv: namesrv!.addr,
      logger: { info() {}, warn() {}, error() {}, debug() {} },
      accessKeyId: '',
      accessKeySecret: '',
      producerGroup: 'PID_TIMER',
    });
    ali.on('error', () => {});
    await ali.ready();
    try {
      for (let i = 0; i < 5; i++) {
        const m = new ons.Message(TOPIC, 'TagT', `ons-${i}`);
        m.setStartDeliverTime(t + 2000);
        expect((await ali.send(m)).sendStatus).toBe('SEND_OK');
      }
    } finally {
      await ali.close();
    }
    // nothing of it is in the topic before its time
    if (Date.now() < t + 1400) expect(await pullAll(c, TOPIC, '')).toEqual([]);

    const abs = await pullUntil(c, TOPIC, 'abs-', 10, 20_000);
    const ms = await pullUntil(c, TOPIC, 'ms-', 5, 20_000);
    const sec = await pullUntil(c, TOPIC, 'sec-', 5, 20_000);
    const onsMsgs = await pullUntil(c, TOPIC, 'ons-', 5, 20_000);
    expect([abs.length, ms.length, sec.length, onsMsgs.length]).toEqual([10, 5, 5, 5]);
    for (const m of abs) {
      const i = Number(m.body.toString().slice(4));
      expect(m.properties.TIMER_OUT_MS).toBe(String(t + 1500 + i * 100));
      expect(m.properties.REAL_TOPIC).toBeUndefined();
    }
    for (const m of ms) expect(Number(m.properties.TIMER_OUT_MS)).toBeGreaterThanOrEqual(t + 1500);
    for (const m of sec) expect(Number(m.properties.TIMER_OUT_MS)).toBeGreaterThanOrEqual(t + 2000);
    for (const m of onsMsgs) expect(m.properties.TIMER_OUT_MS).toBe(String(t + 2000));
    const lags = expectOnTime([...abs, ...ms, ...sec, ...onsMsgs]);
    // the spec is p99 < 1 s (bench/timer-bench.ts); here only gross lateness fails, the box is shared
    expect(lags[lags.length - 1]).toBeLessThan(5000);
    console.log(`timer lag ms: min ${lags[0]} max ${lags[lags.length - 1]}`);
  }, 60_000);

  it('delivers a past time at once, straight into the topic', async () => {
    await producer.send(new Message({ topic: TOPIC, body: 'past-0' }).setDeliverTimeMs(Date.now() - 10_000));
    const got = await pullUntil(c, TOPIC, 'past-', 1, 5000);
    expect(got.length).toBe(1);
    expect(got[0]!.properties.TIMER_OUT_MS).toBeUndefined();
  });

  it('refuses a timer beyond timerMaxDelaySec with MESSAGE_ILLEGAL', async () => {
    const err = await producer
      .send(new Message({ topic: TOPIC, body: 'far-0' }).setDelayTimeSec(120))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MQBrokerError);
    expect((err as MQBrokerError).responseCode).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect((err as MQBrokerError).message).toContain('timerMaxDelaySec');
    const raw = await c.send(TOPIC, 'far-1', { props: { TIMER_DELIVER_MS: String(Date.now() + 61_000) } });
    expect(raw.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(raw.remark).toContain('60000ms');
  });

  it('delivers timers that came due while the broker was stopped (graceful stop: exactly once)', async () => {
    const due = Date.now() + 2500;
    for (let i = 0; i < 20; i++)
      expect(
        (
          await c.send(TOPIC, `grace-${i}`, {
            queueId: i % QUEUES,
            props: { TIMER_DELIVER_MS: String(due + i) },
          })
        ).code,
      ).toBe(ResponseCode.SUCCESS);
    await sleep(500);
    expect(await broker!.terminate()).toBe(0);
    await sleep(Math.max(0, due + 1000 - Date.now()));
    await startOurBroker();
    const got = await pullUntil(c, TOPIC, 'grace-', 20, 20_000);
    await sleep(1000);
    const again = await pullAll(c, TOPIC, 'grace-');
    expect(again.length).toBe(20);
    expect(new Set(again.map((m) => m.body.toString())).size).toBe(20);
    expect(got.length).toBe(20);
    expectOnTime(again);
  }, 60_000);

  it('delivers timers after a SIGKILL and restart (at least once)', async () => {
    const due = Date.now() + 2500;
    for (let i = 0; i < 20; i++)
      expect(
        (
          await c.send(TOPIC, `kill-${i}`, {
            queueId: i % QUEUES,
            props: { TIMER_DELIVER_MS: String(due + i) },
          })
        ).code,
      ).toBe(ResponseCode.SUCCESS);
    await sleep(800); // linked and checkpointed (timerFlushIntervalMs=200)
    await broker!.kill();
    await sleep(Math.max(0, due + 1000 - Date.now()));
    await startOurBroker();
    await pullUntil(c, TOPIC, 'kill-', 20, 20_000);
    await sleep(1000);
    const got = await pullAll(c, TOPIC, 'kill-');
    const distinct = new Set(got.map((m) => m.body.toString()));
    expect(distinct.size).toBe(20);
    expectOnTime(got);
    console.log(`timer after SIGKILL: ${got.length - distinct.size} duplicates of ${distinct.size}`);
  }, 60_000);
});

describe('timer messages with a slave', () => {
  const pair = useMasterSlavePair({
    dirPrefix: 'cometmq-timer-',
    brokerName: 'timer-ha',
    masterRole: 'ASYNC_MASTER',
    common: [...TIMER_ARGS, '--flushIntervalCommitLog=100'],
    slaveExtra: ['--slaveReadEnable=true'],
  });
  const TOPIC = 'TimerHaT';

  it('the slave replicates the timer queue and the deliveries but delivers nothing itself', async () => {
    const { mc, sc, masterDir, slaveDir } = pair;
    expect((await mc.createTopic(TOPIC, QUEUES)).code).toBe(ResponseCode.SUCCESS);
    const end = Date.now() + 30_000;
    while ((await brokerRuntimeInfo(mc)).get('haConnectionCount') !== '1' && Date.now() < end)
      await sleep(100);
    const due = Date.now() + 1500;
    for (let i = 0; i < 10; i++)
      expect(
        (await mc.send(TOPIC, `ha-${i}`, { queueId: i % QUEUES, props: { TIMER_DELIVER_MS: String(due) } }))
          .code,
      ).toBe(ResponseCode.SUCCESS);
    expect((await pullUntil(mc, TOPIC, 'ha-', 10, 20_000)).length).toBe(10);
    await sleep(1500);
    const masterMax = (await brokerRuntimeInfo(mc)).get('commitLogMaxOffset');
    while ((await brokerRuntimeInfo(sc)).get('commitLogMaxOffset') !== masterMax && Date.now() < end + 30_000)
      await sleep(100);
    // byte for byte the master's CommitLog: the slave wrote no delivery of its own
    expect((await brokerRuntimeInfo(sc)).get('commitLogMaxOffset')).toBe(masterMax);
    const onSlave = await pullAll(sc, TOPIC, 'ha-');
    expect(onSlave.length).toBe(10);
    expect(fs.existsSync(join(slaveDir.path, 'timerlog'))).toBe(false);
    expect(fs.existsSync(join(masterDir.path, 'timerlog'))).toBe(true);
  }, 90_000);
});
