/**
 * HA wire compatibility with RocketMQ 4.9.8: a CometMQ slave store replicates from a reference
 * master broker, and a reference slave broker replicates from a `cometmq broker` master. Either way
 * the CommitLog files end byte-identical.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeKVTable } from '../../src/remoting/protocol/body/kv-table.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { HAClient } from '../../src/store/ha/ha-client.js';
import { makeTempDir, openStore, tinyConfig } from '../../src/store/testing/store-fixture.js';
import { BrokerTestClient } from '../broker/broker-test-client.js';
import { startBroker, startNamesrv, tempDir } from '../helpers/cometmq-processes.js';
import {
  referenceAvailable,
  startReferenceBroker,
  startReferenceNamesrv,
} from '../helpers/reference-processes.js';

const FILE = 1024 * 1024;
const COUNT = 2000;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function maxOffset(c: BrokerTestClient): Promise<string | undefined> {
  const r = await c.invoke(RequestCode.GET_BROKER_RUNTIME_INFO);
  return r.code === ResponseCode.SUCCESS ? decodeKVTable(r.body!).table.commitLogMaxOffset : undefined;
}

async function sendAll(c: BrokerTestClient, topic: string): Promise<void> {
  expect((await c.createTopic(topic, 4)).code).toBe(ResponseCode.SUCCESS);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < COUNT) {
        const i = next++;
        const r = await c.send(topic, `m${i} ${'y'.repeat(i % 900)}`, { queueId: i % 4, keys: `k${i}` });
        expect(r.code).toBe(ResponseCode.SUCCESS);
      }
    }),
  );
}

/** Files with any written byte (a reference broker preallocates the next file). */
function commitLog(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const n of fs.readdirSync(dir).sort()) {
    const b = fs.readFileSync(join(dir, n));
    if (b.some((x) => x !== 0)) out.set(n, b);
  }
  return out;
}

function expectSame(a: Map<string, Buffer>, b: Map<string, Buffer>): void {
  expect(a.size).toBeGreaterThanOrEqual(2);
  expect([...b.keys()]).toEqual([...a.keys()]);
  for (const [n, bytes] of a) expect(b.get(n)!.equals(bytes), n).toBe(true);
}

describe.skipIf(!referenceAvailable())('HA against RocketMQ 4.9.8', () => {
  it('a CometMQ slave store replicates a reference master byte for byte', async () => {
    const ns = await startReferenceNamesrv();
    cleanups.push(() => ns.shutdown());
    const master = await startReferenceBroker({
      namesrvAddr: ns.addr,
      extra: { mappedFileSizeCommitLog: FILE, brokerRole: 'ASYNC_MASTER' },
    });
    cleanups.push(() => master.shutdown());
    const dir = makeTempDir('cometmq-ha-ref-slave-');
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const store = await openStore(tinyConfig(dir, { brokerRole: 'SLAVE', mappedFileSizeCommitLog: FILE }));
    cleanups.push(() => store.shutdown());
    const client = new HAClient(store, { reconnectIntervalMs: 200 });
    client.updateMasterAddress(`127.0.0.1:${master.port + 1}`);
    client.start();
    cleanups.push(() => client.shutdown());
    await waitFor('the HA link', async () => (client.isConnected() ? true : undefined));

    const c = new BrokerTestClient(master.addr);
    cleanups.push(() => c.close());
    await sendAll(c, 'RefHaTopic');
    const max = Number(await maxOffset(c));
    await waitFor('the slave to catch up', async () => (store.getMaxPhyOffset() === max ? true : undefined));
    expectSame(commitLog(join(master.dataDir, 'store', 'commitlog')), commitLog(join(dir, 'commitlog')));
    const got = await store.getMessage('G', 'RefHaTopic', 1, 0, 32);
    expect(got.status).toBe('FOUND');
  }, 180_000);

  it('a reference slave broker replicates a CometMQ master byte for byte', async () => {
    const ns = await startNamesrv();
    cleanups.push(() => ns.kill());
    const dir = await tempDir('cometmq-ha-ref-master-');
    cleanups.push(() => dir.remove());
    const master = await startBroker({
      namesrvAddr: ns.addr,
      storePathRootDir: dir.path,
      extra: [`--mappedFileSizeCommitLog=${FILE}`],
    });
    cleanups.push(() => master.kill());
    const slave = await startReferenceBroker({
      namesrvAddr: ns.addr,
      brokerId: 1,
      extra: { mappedFileSizeCommitLog: FILE },
    });
    cleanups.push(() => slave.shutdown());
    const c = new BrokerTestClient(master.addr);
    cleanups.push(() => c.close());
    // the 4.9.8 HAClient first reports after haSendHeartbeatInterval (5 s): wait for the link
    await waitFor('the reference slave link', async () => {
      const r = await c.invoke(RequestCode.GET_BROKER_RUNTIME_INFO);
      return decodeKVTable(r.body!).table.haSlaves?.includes('@0/') ? true : undefined;
    });
    await sendAll(c, 'RefHaTopic');
    const max = await maxOffset(c);
    const sc = new BrokerTestClient(slave.addr);
    cleanups.push(() => sc.close());
    await waitFor('the reference slave to catch up', async () =>
      (await maxOffset(sc)) === max ? true : undefined,
    );
    expectSame(commitLog(join(dir.path, 'commitlog')), commitLog(join(slave.dataDir, 'store', 'commitlog')));
  }, 180_000);
});
