import * as fs from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DefaultMessageStore } from '../default-message-store.js';
import type { BrokerRole, MessageStoreConfig } from '../message-store-config.js';
import { makeMessage, makeTempDir, openStore, tinyConfig } from '../testing/store-fixture.js';
import { HAClient, type HAClientEvent } from './ha-client.js';
import { HAService } from './ha-service.js';

const FILE = 16 * 1024;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function newStore(role: BrokerRole, overrides: Partial<MessageStoreConfig> = {}) {
  const dir = makeTempDir('cometmq-ha-');
  const store = await openStore(
    tinyConfig(dir, {
      brokerRole: role,
      mappedFileSizeCommitLog: FILE,
      haListenPort: 0,
      haTransferBatchSize: 4096,
      slaveTimeout: 2000,
      ...overrides,
    }),
  );
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.shutdown());
  return store;
}

async function startMaster(role: BrokerRole = 'ASYNC_MASTER', overrides: Partial<MessageStoreConfig> = {}) {
  const store = await newStore(role, overrides);
  const ha = new HAService(store);
  await ha.start('127.0.0.1');
  store.setReplicaWaiter(ha);
  cleanups.push(() => ha.shutdown());
  return { store, ha, addr: `127.0.0.1:${ha.port}` };
}

async function startSlave(masterAddr: string) {
  const store = await newStore('SLAVE');
  const client = new HAClient(store, { reconnectIntervalMs: 100 });
  const events: HAClientEvent[] = [];
  client.onEvent = (e) => events.push(e);
  client.updateMasterAddress(masterAddr);
  client.start();
  cleanups.push(() => client.shutdown());
  return { store, client, events };
}

async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function send(store: DefaultMessageStore, n: number, from = 0) {
  const rs = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      store.putMessage(
        makeMessage({
          queueId: (from + i) % 3,
          body: Buffer.alloc(200 + ((from + i) % 50), from + i),
          keys: `k${from + i}`,
        }),
      ),
    ),
  );
  return rs;
}

function commitLogFiles(store: DefaultMessageStore): Map<string, Buffer> {
  const dir = join(store.config.storePathRootDir, 'commitlog');
  const out = new Map<string, Buffer>();
  for (const name of fs.readdirSync(dir).sort()) out.set(name, fs.readFileSync(join(dir, name)));
  return out;
}

function expectSameFiles(master: DefaultMessageStore, slave: DefaultMessageStore, fromFile = 0) {
  const a = commitLogFiles(master);
  const b = commitLogFiles(slave);
  const names = [...a.keys()].slice(fromFile);
  expect([...b.keys()]).toEqual(names);
  for (const n of names) expect(b.get(n)!.equals(a.get(n)!), `file ${n}`).toBe(true);
}

describe('HA replication over loopback', () => {
  it('a slave connected from the start ends with byte-identical CommitLog files and the same queues', async () => {
    const m = await startMaster();
    expect(m.ha.lowestSlaveOffset()).toBe(Number.POSITIVE_INFINITY);
    const s = await startSlave(m.addr);
    await until('slave reported', () => m.ha.slaves()[0]?.ackOffset === 0);
    // what the slave has yet to receive (kept cached by the CommitLog's drop-behind)
    expect(m.ha.lowestSlaveOffset()).toBe(0);
    await send(m.store, 400);
    await until('caught up', () => s.store.getMaxPhyOffset() === m.store.getMaxPhyOffset());
    await until('acknowledged', () => m.ha.lowestSlaveOffset() === m.store.getMaxPhyOffset());
    expect(m.store.commitLogQueue.mappedFiles.length).toBeGreaterThan(4);
    await m.store.shutdown();
    await s.client.shutdown();
    await s.store.shutdown();
    // reopen both read-only views by comparing the files on disk
    expectSameFiles(m.store, s.store);
  });

  it('the slave serves the same messages at the same queue offsets, and its index', async () => {
    const m = await startMaster();
    const s = await startSlave(m.addr);
    await until('slave reported', () => m.ha.slaves()[0]?.ackOffset === 0);
    await send(m.store, 150);
    await until('caught up', () => s.store.getMaxPhyOffset() === m.store.getMaxPhyOffset());
    await until('dispatched', () => s.store.getMaxOffsetInQueue('TopicTest', 2) === 50);
    for (const q of [0, 1, 2]) {
      expect(s.store.getMaxOffsetInQueue('TopicTest', q)).toBe(m.store.getMaxOffsetInQueue('TopicTest', q));
      for (let off = 0; off < 50; off += 16) {
        const a = await m.store.getMessage('G', 'TopicTest', q, off, 16);
        const b = await s.store.getMessage('G', 'TopicTest', q, off, 16);
        expect(b.status).toBe('FOUND');
        expect(b.queueOffsets).toEqual(a.queueOffsets);
        expect(Buffer.concat(b.buffers).equals(Buffer.concat(a.buffers))).toBe(true);
      }
    }
    const hit = await s.store.queryMessage('TopicTest', 'k77', 32, 0, Date.now() + 1000);
    expect(hit.buffers.length).toBe(1);
    const info = m.ha.runtimeInfo();
    expect(info.haConnectionCount).toBe('1');
    expect(info.haPush2SlaveMaxOffset).toBe(String(m.store.getMaxPhyOffset()));
    expect(m.ha.slaves()[0]!.behindBytes).toBe(0);
  });

  it('a new empty slave starts at the start of the master last file', async () => {
    const m = await startMaster();
    await send(m.store, 300);
    const files = m.store.commitLogQueue.mappedFiles;
    expect(files.length).toBeGreaterThan(3);
    const last = files[files.length - 1]!.fileFromOffset;
    const s = await startSlave(m.addr);
    await until('caught up', () => s.store.getMaxPhyOffset() === m.store.getMaxPhyOffset());
    expect(s.store.getMinPhyOffset()).toBe(last);
    expect(s.store.commitLogQueue.mappedFiles.length).toBe(1);
    // the last message is served at its queue offset
    const q = 299 % 3;
    const maxQ = m.store.getMaxOffsetInQueue('TopicTest', q);
    await until('dispatched', () => s.store.getMaxOffsetInQueue('TopicTest', q) === maxQ);
    const a = await m.store.getMessage('G', 'TopicTest', q, maxQ - 1, 1);
    const b = await s.store.getMessage('G', 'TopicTest', q, maxQ - 1, 1);
    expect(b.status).toBe('FOUND');
    expect(b.buffers[0]!.equals(a.buffers[0]!)).toBe(true);
  });

  it('catches up after the link is cut mid-stream', async () => {
    const m = await startMaster('ASYNC_MASTER', { haTransferBatchSize: 512 });
    const s = await startSlave(m.addr);
    await until('slave reported', () => m.ha.slaves()[0]?.ackOffset === 0);
    await send(m.store, 100);
    const sending = send(m.store, 300, 100);
    await until('some bytes replicated', () => s.store.getMaxPhyOffset() > 0);
    let cuts = 0;
    for (const c of (m.ha as unknown as { connections: Set<{ close(w: string): void }> }).connections) {
      c.close('test cuts the link');
      cuts++;
    }
    expect(cuts).toBe(1);
    await sending;
    await until('reconnected', () => s.events.filter((e) => e.kind === 'connected').length >= 2);
    await until('caught up', () => s.store.getMaxPhyOffset() === m.store.getMaxPhyOffset());
    expect(s.events.some((e) => e.kind === 'closed')).toBe(true);
    await m.store.shutdown();
    await s.client.shutdown();
    await s.store.shutdown();
    expectSameFiles(m.store, s.store);
  });
});

describe('HAClient against a scripted master', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  it('drops the link when a chunk does not start at its own max offset', async () => {
    // a slave that already holds bytes (from a real master), then pointed at a master that lies
    const m = await startMaster();
    await send(m.store, 5);
    const s = await startSlave(m.addr);
    await until('caught up', () => s.store.getMaxPhyOffset() === m.store.getMaxPhyOffset());
    const have = s.store.getMaxPhyOffset();
    const reports: bigint[] = [];
    const sockets: Socket[] = [];
    server = createServer((sock) => {
      sockets.push(sock);
      sock.on('data', (d: Buffer) => {
        for (let i = 0; i + 8 <= d.length; i += 8) reports.push(d.readBigInt64BE(i));
        const h = Buffer.alloc(12 + 10);
        h.writeBigInt64BE(BigInt(have + 100), 0); // not where the slave stands
        h.writeInt32BE(10, 8);
        sock.write(h);
      });
      sock.on('error', () => {});
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const closedBefore = s.events.filter((e) => e.kind === 'closed').length;
    s.client.updateMasterAddress(`127.0.0.1:${port}`);
    await until('dropped', () =>
      s.events.slice(closedBefore + 1).some((e) => e.kind === 'closed' && e.why.startsWith('chunk at')),
    );
    expect(reports[0]).toBe(BigInt(have));
    expect(s.store.getMaxPhyOffset()).toBe(have);
    for (const x of sockets) x.destroy();
  });
});

describe('SYNC_MASTER', () => {
  it('answers SLAVE_NOT_AVAILABLE without a slave', async () => {
    const m = await startMaster('SYNC_MASTER');
    const [r] = await send(m.store, 1);
    expect(r!.status).toBe('SLAVE_NOT_AVAILABLE');
    // WAIT=false does not wait for anyone
    const r2 = await m.store.putMessage(makeMessage({ properties: { WAIT: 'false' } }));
    expect(r2.status).toBe('PUT_OK');
  });

  it('answers only after the slave has the bytes', async () => {
    const m = await startMaster('SYNC_MASTER');
    const s = await startSlave(m.addr);
    await until('slave reported', () => m.ha.slaves()[0]?.ackOffset === 0);
    const rs = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        m.store
          .putMessage(makeMessage({ body: `m${i}` }))
          .then((r) => ({ r, slaveMax: s.store.getMaxPhyOffset() })),
      ),
    );
    for (const { r, slaveMax } of rs) {
      expect(r.status).toBe('PUT_OK');
      expect(slaveMax).toBeGreaterThanOrEqual(r.result!.wroteOffset + r.result!.wroteBytes);
    }
  });

  it('answers FLUSH_SLAVE_TIMEOUT when the slave does not acknowledge in slaveTimeout', async () => {
    const m = await startMaster('SYNC_MASTER', { slaveTimeout: 300 });
    // a slave that reports once and then never acknowledges anything
    const sock = connect({ host: '127.0.0.1', port: m.ha.port });
    sock.on('error', () => {});
    cleanups.push(() => {
      sock.destroy();
    });
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const b = Buffer.alloc(8);
    sock.write(b);
    await until('slave seen', () => m.ha.slaves()[0]?.ackOffset === 0);
    const t0 = Date.now();
    const [r] = await send(m.store, 1);
    expect(r!.status).toBe('FLUSH_SLAVE_TIMEOUT');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });
});
