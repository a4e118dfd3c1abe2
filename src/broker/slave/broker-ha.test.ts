import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../common/scheduler.js';
import type { DefaultMessageStore } from '../../store/default-message-store.js';
import type { HASlaveStore } from '../../store/ha/ha-store.js';
import { defaultMessageStoreConfig } from '../../store/message-store-config.js';
import { BrokerHA } from './broker-ha.js';
import type { SlaveSynchronizeHost } from './slave-synchronize.js';

/** An address nothing listens on: the slave's connects and syncs there fail at once. */
async function deadAddr(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `127.0.0.1:${port}`;
}

const running: BrokerHA[] = [];
afterEach(async () => {
  for (const ha of running.splice(0)) await ha.shutdown();
});

async function startSlave(): Promise<BrokerHA> {
  const config = { ...defaultMessageStoreConfig(), brokerRole: 'SLAVE' as const, haMasterAddress: '' };
  const store: HASlaveStore = { config, getMaxPhyOffset: () => 0, appendRawCommitLog: async () => false };
  const ha = new BrokerHA(config, new Scheduler());
  running.push(ha);
  // the slave path uses only HASlaveStore; SlaveSynchronize's host is only read after a successful fetch
  await ha.start(store as unknown as DefaultMessageStore, '127.0.0.1', {
    brokerAddr: '127.0.0.1:1',
  } as unknown as SlaveSynchronizeHost);
  return ha;
}

describe('BrokerHA.onRegistered (a slave)', () => {
  it('follows the master REGISTER_BROKER announces and forgets it when an answer carries none', async () => {
    const ha = await startSlave();
    const [master, masterHa, next] = [await deadAddr(), await deadAddr(), await deadAddr()];
    ha.onRegistered(master, masterHa);
    expect(ha.slaveSyncMasterAddr).toBe(master);
    expect(ha.runtimeInfo().haMasterAddress).toBe(masterHa);

    // the master is gone from the NameServer: no metadata copy from a stale address; the HA client
    // keeps its address as RocketMQ's does (only a new announcement replaces it)
    ha.onRegistered(undefined, undefined);
    expect(ha.slaveSyncMasterAddr).toBeUndefined();
    expect(ha.runtimeInfo().haMasterAddress).toBe(masterHa);
    ha.onRegistered('', undefined);
    expect(ha.slaveSyncMasterAddr).toBeUndefined();

    // a restarted master elsewhere
    ha.onRegistered(next, next);
    expect(ha.slaveSyncMasterAddr).toBe(next);
    expect(ha.runtimeInfo().haMasterAddress).toBe(next);
  });

  it('a master ignores the answers', async () => {
    const config = { ...defaultMessageStoreConfig(), brokerRole: 'ASYNC_MASTER' as const };
    const ha = new BrokerHA(config, new Scheduler());
    ha.onRegistered('127.0.0.1:9', '127.0.0.1:10');
    expect(ha.slaveSyncMasterAddr).toBeUndefined();
    expect(ha.runtimeInfo()).toEqual({});
  });
});
