/**
 * One NameServer, a master (brokerId 0) and its SLAVE (brokerId 1) of one broker name, as real
 * `cometmq` processes with their own temp folders, started in beforeAll and stopped in afterAll (a
 * SIGSTOPped slave is continued first, so it can be killed and its folder removed).
 */
import { afterAll, beforeAll } from 'vitest';
import { type RunningProcess, startBroker, startNamesrv, tempDir } from '../helpers/cometmq-processes.js';
import { BrokerTestClient } from './broker-test-client.js';

type Dir = { path: string; remove(): Promise<void> };

export interface MasterSlavePairOptions {
  /** Temp folders are named `${dirPrefix}m-...` and `${dirPrefix}s-...`. */
  dirPrefix: string;
  brokerName: string;
  masterRole: 'SYNC_MASTER' | 'ASYNC_MASTER';
  /** Arguments for both brokers. */
  common?: string[];
  /** Arguments for the master only (after common). */
  masterExtra?: string[];
  /** Arguments for the slave only (after common; slaveReadEnable is off unless given here). */
  slaveExtra?: string[];
}

/** Filled in by beforeAll; the processes may be stopped by a test (kill and terminate are idempotent). */
export interface MasterSlavePair {
  namesrv: RunningProcess;
  master: RunningProcess;
  slave: RunningProcess;
  masterDir: Dir;
  slaveDir: Dir;
  /** Clients of the master and of the slave. */
  mc: BrokerTestClient;
  sc: BrokerTestClient;
}

export function useMasterSlavePair(o: MasterSlavePairOptions): MasterSlavePair {
  const pair: Partial<MasterSlavePair> = {};
  beforeAll(async () => {
    pair.masterDir = await tempDir(`${o.dirPrefix}m-`);
    pair.slaveDir = await tempDir(`${o.dirPrefix}s-`);
    pair.namesrv = await startNamesrv();
    const common = o.common ?? [];
    pair.master = await startBroker({
      namesrvAddr: pair.namesrv.addr,
      storePathRootDir: pair.masterDir.path,
      brokerName: o.brokerName,
      extra: [...common, `--brokerRole=${o.masterRole}`, '--brokerId=0', ...(o.masterExtra ?? [])],
    });
    pair.slave = await startBroker({
      namesrvAddr: pair.namesrv.addr,
      storePathRootDir: pair.slaveDir.path,
      brokerName: o.brokerName,
      extra: [...common, '--brokerRole=SLAVE', '--brokerId=1', ...(o.slaveExtra ?? [])],
    });
    pair.mc = new BrokerTestClient(pair.master.addr);
    pair.sc = new BrokerTestClient(pair.slave.addr);
  }, 60_000);
  afterAll(async () => {
    const slave = pair.slave?.proc;
    if (slave?.pid !== undefined && slave.exitCode === null && slave.signalCode === null)
      process.kill(slave.pid, 'SIGCONT');
    await pair.mc?.close();
    await pair.sc?.close();
    await pair.slave?.kill();
    await pair.master?.kill();
    await pair.namesrv?.kill();
    await pair.masterDir?.remove();
    await pair.slaveDir?.remove();
  }, 30_000);
  return pair as MasterSlavePair;
}
