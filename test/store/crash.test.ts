import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32Masked, decodeMessage } from '../../src/common/message-decoder.js';
import { Scheduler } from '../../src/common/scheduler.js';
import { checkMessageAndReturnSize } from '../../src/store/commit-log-scanner.js';
import { DefaultMessageStore } from '../../src/store/default-message-store.js';
import {
  crashClose,
  crashTestConfig,
  ManualClock,
  makeTempDir,
} from '../../src/store/testing/store-fixture.js';

// The child runs from the build (npm test builds first): a real process that can really be killed.
const CHILD = resolve(import.meta.dirname, '../../dist/src/store/testing/crash-child.js');
// CRASH_ROUNDS=500 npx vitest run test/store/crash.test.ts: the soak variant of the same test
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 24);

interface Ack {
  queueId: number;
  queueOffset: number;
  offset: number;
  size: number;
  crc: number;
}

const children = new Set<ChildProcess>();
const dirs: string[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Starts the child, lets it append for `runMs` after READY, SIGKILLs it; returns what it acknowledged. */
async function runAndKill(
  dir: string,
  seed: number,
  runMs: number,
): Promise<{ acks: Ack[]; readyMaxPhy: number }> {
  const child = spawn(process.execPath, [CHILD, dir, String(seed)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, COMETMQ_LOG_LEVEL: 'warn' },
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const acks: Ack[] = [];
  let readyMaxPhy = -1;
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  const lines = createInterface({ input: child.stdout! });
  const closed = new Promise<void>((res) => lines.once('close', () => res()));
  let timer: NodeJS.Timeout | undefined;
  const ready = new Promise<void>((res, rej) => {
    lines.on('line', (line) => {
      const p = line.split(' ');
      if (p[0] === 'READY') {
        readyMaxPhy = Number(p[1]);
        res();
      } else if (p[0] === 'A') {
        const [q, qo, off, size, crc] = p.slice(1).map(Number) as [number, number, number, number, number];
        acks.push({ queueId: q, queueOffset: qo, offset: off, size, crc });
      }
    });
    void exited.then(() => rej(new Error(`child exited before READY: ${stderr}`)));
    timer = setTimeout(() => rej(new Error('child not READY in 10 s')), 10_000);
  });
  try {
    await ready;
  } finally {
    clearTimeout(timer);
  }
  await new Promise((r) => setTimeout(r, runMs));
  child.kill('SIGKILL');
  await exited;
  await closed;
  children.delete(child);
  expect(child.signalCode, stderr).toBe('SIGKILL');
  return { acks, readyMaxPhy };
}

/** Recovers the crashed folder in-process (abnormal recovery: the abort file is there). */
async function recover(dir: string): Promise<DefaultMessageStore> {
  expect(fs.existsSync(join(dir, 'abort'))).toBe(true);
  const store = new DefaultMessageStore(crashTestConfig(dir), {
    storeHost: '127.0.0.1:10911',
    scheduler: new Scheduler(new ManualClock(Date.now())),
  });
  await store.load();
  return store;
}

/** Every entry of the CommitLog from its minimum to its maximum is whole and valid; returns the count. */
function checkNoTornEntry(dir: string, store: DefaultMessageStore): number {
  const size = crashTestConfig(dir).mappedFileSizeCommitLog;
  let offset = store.getMinPhyOffset();
  const max = store.getMaxPhyOffset();
  let count = 0;
  let fileStart = -1;
  let file = Buffer.alloc(0);
  while (offset < max) {
    if (offset - (offset % size) !== fileStart) {
      fileStart = offset - (offset % size);
      file = fs.readFileSync(join(dir, 'commitlog', String(fileStart).padStart(20, '0')));
    }
    const r = checkMessageAndReturnSize(file, offset % size, true, () => 0);
    if (r.kind === 'blank') {
      offset += r.size;
      continue;
    }
    if (r.kind !== 'message') throw new Error(`entry at ${offset}: ${r.kind}`);
    if (r.request.commitLogOffset !== offset)
      throw new Error(`entry at ${offset} claims ${r.request.commitLogOffset}`);
    offset += r.request.msgSize;
    count++;
  }
  expect(offset).toBe(max);
  return count;
}

/** Messages per queue, the newest, also looked up by key after each recovery. */
const KEY_CHECKS_PER_QUEUE = 25;

/**
 * Reads every queue from min to max (dense queue offsets, each body's CRC right), then checks every
 * acknowledged message against what was read, that the newest are found by key (index), and that
 * no entry of the CommitLog is torn.
 */
async function verify(dir: string, store: DefaultMessageStore, acked: Map<string, Ack>): Promise<void> {
  // (plain comparisons gathered into one expect: vitest's matchers cost too much per message)
  const problems: string[] = [];
  const stored = new Map<string, Ack>();
  const keyed: [string, number][] = [];
  let total = 0;
  for (let q = 0; q < 4; q++) {
    const max = store.getMaxOffsetInQueue('CrashTest', q);
    let off = store.getMinOffsetInQueue('CrashTest', q);
    while (off < max && problems.length < 10) {
      const g = await store.getMessage('check', 'CrashTest', q, off, 32);
      if (g.status !== 'FOUND') problems.push(`queue ${q} offset ${off}: ${g.status}`);
      for (const b of g.buffers) {
        const m = decodeMessage(b, 0, { decompressBody: false });
        if (m.queueOffset !== off)
          problems.push(`queue ${q}: entry ${off} holds queue offset ${m.queueOffset}`);
        if (crc32Masked(m.body) !== m.bodyCRC) problems.push(`queue ${q} offset ${off}: body CRC mismatch`);
        if (max - off <= KEY_CHECKS_PER_QUEUE) keyed.push([m.properties.KEYS ?? '', m.commitLogOffset]);
        stored.set(`${q}/${off}`, {
          queueId: q,
          queueOffset: off,
          offset: m.commitLogOffset,
          size: m.storeSize,
          crc: m.bodyCRC,
        });
        off++;
      }
      if (g.nextBeginOffset !== off)
        problems.push(`queue ${q}: nextBeginOffset ${g.nextBeginOffset} != ${off}`);
    }
    total += max;
  }
  for (const [k, a] of acked) {
    const s = stored.get(k);
    if (!s || s.offset !== a.offset || s.size !== a.size || s.crc !== a.crc)
      problems.push(`acknowledged ${k} ${JSON.stringify(a)} recovered as ${JSON.stringify(s)}`);
    if (problems.length >= 10) break;
  }
  // the newest messages of each queue are the likeliest to have had index entries only in memory
  for (const [key, offset] of keyed) {
    const found = await store.queryMessage('CrashTest', key, 32, 0, Date.now() + 60_000);
    if (!found.buffers.some((b) => decodeMessage(b, 0, { decompressBody: false }).commitLogOffset === offset))
      problems.push(`key ${key} (offset ${offset}) not found by queryMessage`);
    if (problems.length >= 10) break;
  }
  expect(problems).toEqual([]);
  expect(checkNoTornEntry(dir, store)).toBe(total);
}

describe('crash recovery with real processes (SIGKILL)', () => {
  it(`keeps every acknowledged message over ${ROUNDS} kills, and cuts a deliberately torn tail`, {
    // verify reads the whole store each round: a long soak (CRASH_ROUNDS) needs more per round
    timeout: Math.max(60_000, ROUNDS * (3000 + ROUNDS * 50)),
  }, async () => {
    if (!fs.existsSync(CHILD)) throw new Error(`${CHILD} is missing: run "npm run build" first`);
    const dir = makeTempDir('cometmq-crash-');
    dirs.push(dir);
    const acked = new Map<string, Ack>();
    let lastMaxPhy = 0;
    let totalAcks = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { acks, readyMaxPhy } = await runAndKill(dir, round, 30 + Math.floor(Math.random() * 250));
      // the child's own recovery saw at least everything acknowledged before
      expect(readyMaxPhy).toBeGreaterThanOrEqual(lastMaxPhy);
      totalAcks += acks.length;
      for (const a of acks) acked.set(`${a.queueId}/${a.queueOffset}`, a);
      const t0 = Date.now();
      const store = await recover(dir);
      const t1 = Date.now();
      await verify(dir, store, acked);
      const t2 = Date.now();
      if (process.env.CRASH_DEBUG)
        console.log(round, acks.length, 'recover', t1 - t0, 'ms, verify', t2 - t1, 'ms');
      lastMaxPhy = store.getMaxPhyOffset();
      crashClose(store); // no shutdown: the folder stays crashed for the next child
    }
    expect(totalAcks).toBeGreaterThan(ROUNDS * 10);

    // tear the last message on purpose: recovery cuts exactly it, and its queue offset is reused
    const final = await runAndKill(dir, 999, 100);
    for (const a of final.acks) acked.set(`${a.queueId}/${a.queueOffset}`, a);
    const before = await recover(dir);
    const maxPhy = before.getMaxPhyOffset();
    const last = checkLastEntry(dir, before);
    crashClose(before);
    const size = crashTestConfig(dir).mappedFileSizeCommitLog;
    const fd = fs.openSync(
      join(dir, 'commitlog', String(last.offset - (last.offset % size)).padStart(20, '0')),
      'r+',
    );
    fs.writeSync(fd, Buffer.alloc(16), 0, 16, (last.offset % size) + last.size - 16);
    fs.closeSync(fd);
    expect(last.offset + last.size).toBe(maxPhy);
    const after = await recover(dir);
    expect(after.getMaxPhyOffset()).toBe(last.offset);
    expect(after.getMaxOffsetInQueue('CrashTest', last.queueId)).toBe(last.queueOffset);
    acked.delete(`${last.queueId}/${last.queueOffset}`);
    for (const [k, a] of acked) if (a.offset >= last.offset) acked.delete(k);
    await verify(dir, after, acked);
    crashClose(after);
  });
});

/** The entry that ends at the CommitLog's maximum offset. */
function checkLastEntry(
  dir: string,
  store: DefaultMessageStore,
): { offset: number; size: number; queueId: number; queueOffset: number } {
  const size = crashTestConfig(dir).mappedFileSizeCommitLog;
  const max = store.getMaxPhyOffset();
  let offset = max - (max % size);
  if (offset === max) offset -= size;
  const file = fs.readFileSync(join(dir, 'commitlog', String(offset).padStart(20, '0')));
  let last = { offset: -1, size: 0, queueId: 0, queueOffset: 0 };
  for (let pos = 0; offset + pos < max; ) {
    const r = checkMessageAndReturnSize(file, pos, true, () => 0);
    if (r.kind !== 'message') break;
    last = {
      offset: offset + pos,
      size: r.request.msgSize,
      queueId: r.request.queueId,
      queueOffset: r.request.consumeQueueOffset,
    };
    pos += r.request.msgSize;
  }
  return last;
}
