import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage, decodeMessages } from '../../common/message-decoder.js';
import { encodeSocketAddress } from '../../common/message-id.js';
import { Scheduler } from '../../common/scheduler.js';
import { ResponseCode } from '../../remoting/response-code.js';
import type { DefaultMessageStore } from '../../store/default-message-store.js';
import { makeMessage, makeTempDir, openStore, tinyConfig } from '../../store/testing/store-fixture.js';
import { removeProperty, reputFromStored, setProperty } from './timer-convert.js';
import { BLOCK_SIZE, decodeUnit, encodeUnit, MAGIC_ROLL, TimerLog, UNIT_SIZE } from './timer-log.js';
import { transformTimerMessage } from './timer-message-hook.js';
import { TimerMessageStore, type TimerStoreConfig } from './timer-message-store.js';
import { TimerWheel } from './timer-wheel.js';

const dirs: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CFG: TimerStoreConfig = {
  timerPrecisionMs: 50,
  timerWheelSlots: 400,
  timerRollWindowSlot: 200,
  timerFlushIntervalMs: 200,
  mappedFileSizeTimerLog: BLOCK_SIZE,
};
const HOOK = { timerWheelEnable: true, timerMaxDelaySec: 3600 };

async function open(dir: string, cfg: TimerStoreConfig = CFG, start = true) {
  const store = await openStore(tinyConfig(dir, { mappedFileSizeCommitLog: 1024 * 1024 }));
  const scheduler = new Scheduler();
  const timer = new TimerMessageStore(store, dir, cfg, scheduler);
  await timer.load();
  if (start) timer.start();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    scheduler.stop();
    await timer.shutdown();
    await store.shutdown();
  };
  const crash = async () => {
    closed = true;
    scheduler.stop();
    await timer.abort();
    await store.shutdown();
  };
  cleanups.push(close);
  return { store, timer, close, crash };
}

async function sendTimer(
  store: DefaultMessageStore,
  props: Record<string, string>,
  body: string,
  queueId = 0,
) {
  const m = makeMessage({ topic: 'TimerTopic', queueId, body, properties: props });
  expect(transformTimerMessage(m, HOOK, Date.now())).toBeUndefined();
  const r = await store.putMessage(m);
  expect(r.status).toBe('PUT_OK');
  return m;
}

async function readAll(store: DefaultMessageStore, queueId = 0) {
  const out = [];
  for (let off = 0; ; ) {
    const g = await store.getMessage('G', 'TimerTopic', queueId, off, 1000, 64 * 1024 * 1024);
    if (g.status !== 'FOUND') return out;
    out.push(...decodeMessages(Buffer.concat(g.buffers)));
    off = g.nextBeginOffset;
  }
}

async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(20);
  }
  return cond();
}

describe('TimerLog units', () => {
  it('round-trips a unit and rejects a damaged one', () => {
    const buf = Buffer.alloc(UNIT_SIZE);
    const u = {
      prevPos: 104,
      magic: MAGIC_ROLL,
      slotTimeMs: 1_764_000_000_000,
      deliverMs: 1_764_000_123_456,
      offsetPy: 2 ** 40 + 7,
      sizePy: 321,
      queueOffset: 99,
    };
    encodeUnit(buf, 0, u);
    expect(decodeUnit(buf, 0)).toEqual(u);
    buf[30] ^= 1;
    expect(decodeUnit(buf, 0)).toBeUndefined();
  });

  it('appends across files, reads back through the block cache, finds the end after reopening', async () => {
    const dir = makeTempDir('timerlog-');
    dirs.push(dir);
    const log = new TimerLog(dir, BLOCK_SIZE);
    await log.load(0, () => {});
    const n = 3000; // > 2 files of 1260 units
    const buf = Buffer.alloc(n * UNIT_SIZE);
    for (let i = 0; i < n; i++)
      encodeUnit(buf, i * UNIT_SIZE, {
        prevPos: i === 0 ? -1 : (i - 1) * UNIT_SIZE,
        magic: 1,
        slotTimeMs: 1000,
        deliverMs: 1000,
        offsetPy: i * 100,
        sizePy: 100,
        queueOffset: i,
      });
    await log.append(buf.subarray(0, 1000 * UNIT_SIZE));
    await log.append(buf.subarray(1000 * UNIT_SIZE));
    expect(log.writePos).toBe(n * UNIT_SIZE);
    expect(fs.readdirSync(`${dir}/timerlog`).length).toBe(3);
    for (const i of [0, 1259, 1260, 2999]) expect(log.readUnit(i * UNIT_SIZE)?.queueOffset).toBe(i);
    await log.close();

    const again = new TimerLog(dir, BLOCK_SIZE);
    const seen: number[] = [];
    await again.load(1500 * UNIT_SIZE, (_pos, u) => seen.push(u.queueOffset));
    expect(again.writePos).toBe(n * UNIT_SIZE);
    expect(seen.length).toBe(1500);
    expect(seen[0]).toBe(1500);
    expect(await again.deleteFilesBefore(1300 * UNIT_SIZE)).toBe(1);
    expect(again.readUnit(5 * UNIT_SIZE)).toBeUndefined();
    await again.openAll();
    expect(again.readUnit(2000 * UNIT_SIZE)?.queueOffset).toBe(2000);
    await again.close();
  });
});

describe('timer-convert', () => {
  it('sets and removes single properties without decoding the string', () => {
    const s = 'A\u0001x\u0002REAL_TOPIC\u0001T\u0002B\u0001y';
    expect(removeProperty(s, 'REAL_TOPIC')).toBe('A\u0001x\u0002B\u0001y');
    expect(removeProperty(s, 'B')).toBe('A\u0001x\u0002REAL_TOPIC\u0001T');
    expect(removeProperty(s, 'A')).toBe('REAL_TOPIC\u0001T\u0002B\u0001y');
    expect(removeProperty(s, 'TOPIC')).toBe(s);
    expect(setProperty(s, 'A', 'z')).toBe('REAL_TOPIC\u0001T\u0002B\u0001y\u0002A\u0001z');
    expect(setProperty('', 'A', 'z')).toBe('A\u0001z');
  });

  it('turns a stored timer message back into its real topic, or rolls it', async () => {
    const dir = makeTempDir('timer-convert-');
    dirs.push(dir);
    const store = await openStore(tinyConfig(dir));
    cleanups.push(() => store.shutdown());
    const m = makeMessage({
      topic: 'T1',
      queueId: 3,
      body: 'payload',
      tags: 'TagA',
      properties: { u: 'v', TIMER_DELIVER_MS: '1500' },
    });
    const tagsCode = m.tagsCode;
    transformTimerMessage(m, HOOK, 1000);
    expect(m.topic).toBe('rmq_sys_wheel_timer');
    const r = await store.putMessage(m);
    const stored = (await store.lookMessageByOffset(r.result!.wroteOffset))!;
    const own = encodeSocketAddress('192.168.0.1:10911');
    const back = reputFromStored(stored, false, 4242, 'rmq_sys_wheel_timer', own)!;
    expect([back.topic, back.queueId, back.body.toString()]).toEqual(['T1', 3, 'payload']);
    expect(back.tagsCode).toBe(tagsCode);
    const again = await store.putMessage(back);
    const delivered = decodeMessage((await store.lookMessageByOffset(again.result!.wroteOffset))!);
    expect(delivered.properties).toMatchObject({
      u: 'v',
      TAGS: 'TagA',
      TIMER_DEQUEUE_MS: '4242',
      WAIT: 'false',
    });
    expect(delivered.properties.REAL_TOPIC).toBeUndefined();
    expect(delivered.bornHost).toBe('10.1.2.3:50000');
    const rolled = reputFromStored(stored, true, 4242, 'rmq_sys_wheel_timer', own)!;
    expect([rolled.topic, rolled.queueId, rolled.tagsCode]).toEqual(['rmq_sys_wheel_timer', 0, 1500]);
    expect(rolled.propertiesString).toContain('TIMER_ROLL_TIMES\u00011');
  });
});

describe('TimerWheel', () => {
  it('links units per slot, tells laps apart and survives a flush and reload', async () => {
    const dir = makeTempDir('timerwheel-');
    dirs.push(dir);
    const w = new TimerWheel(dir, 10, 100);
    await w.load();
    expect(w.rebuilt).toBe(true);
    w.link(5000, 0);
    w.link(5000, 52);
    w.link(5100, 104);
    expect(w.getSlot(5000)).toEqual({ timeMs: 5000, firstPos: 0, lastPos: 52, num: 2 });
    expect(w.getSlot(6000).timeMs).toBe(-1); // same index, next lap
    expect(w.lastPosOf(5100)).toBe(104);
    expect(w.minFirstPos(5000, 1e9)).toBe(0);
    expect(w.minFirstPos(5100, 1e9)).toBe(104);
    await w.close();
    const again = new TimerWheel(dir, 10, 100);
    await again.load();
    expect(again.rebuilt).toBe(false);
    expect(again.getSlot(5000).num).toBe(2);
    await again.close();
  });
});

describe('transformTimerMessage', () => {
  it('parks future timers in rmq_sys_wheel_timer with the due time as tags code', () => {
    const now = 1_000_000;
    for (const [props, due] of [
      [{ TIMER_DELIVER_MS: String(now + 5000) }, now + 5000],
      [{ TIMER_DELAY_MS: '1500' }, now + 1500],
      [{ TIMER_DELAY_SEC: '3' }, now + 3000],
      [{ __STARTDELIVERTIME: String(now + 700) }, now + 700],
    ] as const) {
      const m = makeMessage({ topic: 'T1', queueId: 2, properties: { ...props } });
      expect(transformTimerMessage(m, HOOK, now)).toBeUndefined();
      expect(m.topic).toBe('rmq_sys_wheel_timer');
      expect(m.queueId).toBe(0);
      expect(m.tagsCode).toBe(due);
      expect(m.propertiesString).toContain(`TIMER_OUT_MS\u0001${due}`);
      expect(m.propertiesString).toContain('REAL_TOPIC\u0001T1');
      expect(m.propertiesString).toContain('REAL_QID\u00012');
    }
  });

  it('leaves past times, delay levels and plain messages alone; refuses beyond timerMaxDelaySec', () => {
    const now = 1_000_000;
    const cases: Record<string, string>[] = [
      { TIMER_DELIVER_MS: String(now - 1) },
      { TIMER_DELAY_MS: '1000', DELAY: '2' },
      { A: 'b' },
    ];
    for (const props of cases) {
      const m = makeMessage({ topic: 'T1', properties: props });
      expect(transformTimerMessage(m, HOOK, now)).toBeUndefined();
      expect(m.topic).toBe('T1');
    }
    const far = makeMessage({ topic: 'T1', properties: { TIMER_DELAY_SEC: '3601' } });
    const r = transformTimerMessage(far, HOOK, now);
    expect(r?.[0]).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(r?.[1]).toContain('timerMaxDelaySec');
    const bad = makeMessage({ topic: 'T1', properties: { TIMER_DELIVER_MS: 'soon' } });
    expect(transformTimerMessage(bad, HOOK, now)?.[0]).toBe(ResponseCode.MESSAGE_ILLEGAL);
    const off = makeMessage({ topic: 'T1', properties: { TIMER_DELAY_SEC: '5' } });
    expect(transformTimerMessage(off, { ...HOOK, timerWheelEnable: false }, now)?.[0]).toBe(
      ResponseCode.MESSAGE_ILLEGAL,
    );
  });
});

describe('TimerMessageStore', () => {
  it('delivers each timer into its real topic and queue at or after its time, never before', async () => {
    const dir = makeTempDir('timer-');
    dirs.push(dir);
    const { store, timer } = await open(dir);
    const t0 = Date.now();
    const dues: number[] = [];
    for (let i = 0; i < 40; i++) {
      const due = t0 + 1000 + i * 37;
      dues.push(due);
      await sendTimer(store, { TIMER_DELIVER_MS: String(due), UNIQ_KEY: `k${i}` }, `b${i}`, i % 2);
    }
    // nothing before its time (checked only while the first is still ahead: the box may be slow)
    const early = await readAll(store);
    if (Date.now() < t0 + 1000) expect(early).toEqual([]);
    expect(
      await waitFor(
        async () => (await readAll(store, 0)).length + (await readAll(store, 1)).length === 40,
        5000,
      ),
    ).toBe(true);
    const got = [...(await readAll(store, 0)), ...(await readAll(store, 1))];
    for (const m of got) {
      const i = Number(m.body.toString().slice(1));
      expect(m.queueId).toBe(i % 2);
      expect(m.storeTimestamp).toBeGreaterThanOrEqual(dues[i]!);
      expect(m.properties.REAL_TOPIC).toBeUndefined();
      expect(m.properties.TIMER_OUT_MS).toBe(String(dues[i]));
    }
    expect(timer.stats.delivered).toBe(40);
  });

  it('rolls timers beyond the roll window and delivers them on time', async () => {
    const dir = makeTempDir('timer-roll-');
    dirs.push(dir);
    // window of 10 slots of 50 ms: a 1.2 s timer rolls twice
    const { store, timer } = await open(dir, { ...CFG, timerRollWindowSlot: 10, timerWheelSlots: 40 });
    const due = Date.now() + 1200;
    await sendTimer(store, { TIMER_DELIVER_MS: String(due) }, 'rolled');
    expect(await waitFor(async () => (await readAll(store)).length === 1, 5000)).toBe(true);
    const [m] = await readAll(store);
    expect(m!.storeTimestamp).toBeGreaterThanOrEqual(due);
    expect(Number(m!.properties.TIMER_ROLL_TIMES)).toBeGreaterThanOrEqual(1);
    expect(timer.stats.rolled).toBeGreaterThanOrEqual(1);
  });

  it('after a clean stop, delivers what came due while stopped, exactly once', async () => {
    const dir = makeTempDir('timer-restart-');
    dirs.push(dir);
    const first = await open(dir);
    const due = Date.now() + 600;
    for (let i = 0; i < 30; i++) await sendTimer(first.store, { TIMER_DELIVER_MS: String(due + i) }, `r${i}`);
    // some delivered before the stop, most not
    await sendTimer(first.store, { TIMER_DELAY_MS: '100' }, 'early');
    await waitFor(async () => (await readAll(first.store)).length === 1, 2000);
    await first.close();
    await sleep(Math.max(0, due + 200 - Date.now()));
    const second = await open(dir);
    expect(await waitFor(async () => (await readAll(second.store)).length === 31, 5000)).toBe(true);
    await sleep(500);
    const bodies = (await readAll(second.store)).map((m) => m.body.toString());
    expect(bodies.length).toBe(31);
    expect(new Set(bodies).size).toBe(31);
  });

  it('relinks TimerLog units written after the last checkpoint (crash before the wheel was saved)', async () => {
    const dir = makeTempDir('timer-crash-');
    dirs.push(dir);
    const first = await open(dir, { ...CFG, timerFlushIntervalMs: 60_000 });
    const due = Date.now() + 1500;
    for (let i = 0; i < 20; i++) await sendTimer(first.store, { TIMER_DELIVER_MS: String(due) }, `c${i}`);
    expect(await waitFor(async () => first.timer.currQueueOffset === 20, 2000)).toBe(true);
    // a crash: nothing of the timer store saved since start (no checkpoint, wheel never written)
    await first.crash();
    const second = await open(dir);
    expect(second.timer.currQueueOffset).toBe(20);
    expect(await waitFor(async () => (await readAll(second.store)).length === 20, 5000)).toBe(true);
    for (const m of await readAll(second.store)) expect(m.storeTimestamp).toBeGreaterThanOrEqual(due);
  });
});
