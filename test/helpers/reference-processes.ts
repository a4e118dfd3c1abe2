/**
 * The reference Apache RocketMQ 4.9.8 (REFERENCE_HOME: $COMETMQ_REFERENCE_HOME, shared/ beside the clone,
 * or /work/shared/reference/rocketmq-4.9.8) as an oracle: a NameServer
 * or a broker on free 127.0.0.1 ports, each with its own RMQ_DATA temp folder (logs, kvConfig.json,
 * store), stopped by PID and the folder removed. Needs only `java`. Start-up takes a few seconds.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerProcess, startServerProcess } from './child-process.js';
import { REFERENCE_HOME } from './mq-cluster.js';
import { freeBrokerPort, freePort } from './ports.js';

export { REFERENCE_HOME };

/** Small heaps: several JVMs share a 2-core test machine. */
const JAVA_OPT = '-Xms128m -Xmx256m -Xmn64m';

/** Whether the reference distribution and java are there (tests skip the oracle otherwise). */
export function referenceAvailable(): boolean {
  return (
    existsSync(join(REFERENCE_HOME, 'bin/mqnamesrv')) && existsSync(join(REFERENCE_HOME, 'bin/mqbroker'))
  );
}

export interface ReferenceServer {
  /** "127.0.0.1:port" */
  readonly addr: string;
  readonly port: number;
  /** Its RMQ_DATA folder (user.home of the JVM: namesrv/kvConfig.json, logs/, store/ live here). */
  readonly dataDir: string;
  readonly process: ServerProcess;
  /** Kills the process by PID and removes dataDir. */
  shutdown(): Promise<void>;
}

async function withDataDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** `bin/mqnamesrv -p PORT [--key=value ...]` on a free port; resolves once it printed "boot success". */
export function startReferenceNamesrv(extra: string[] = []): Promise<ReferenceServer> {
  return withDataDir('rmq-ref-namesrv-', async (dataDir) => {
    const port = await freePort();
    const p = await startServerProcess(
      join(REFERENCE_HOME, 'bin/mqnamesrv'),
      ['-p', String(port), ...extra],
      {
        env: { ...process.env, RMQ_DATA: dataDir, JAVA_OPT },
        ready: /boot success/,
        what: 'reference namesrv',
        timeoutMs: 60_000,
      },
    );
    return server(`127.0.0.1:${port}`, port, dataDir, p);
  });
}

export interface ReferenceBrokerOptions {
  namesrvAddr: string;
  brokerName?: string;
  brokerClusterName?: string;
  /** 0 = master. A slave also needs brokerRole=SLAVE (set automatically when brokerId > 0). */
  brokerId?: number;
  /** Any other broker.conf keys. */
  extra?: Record<string, string | number | boolean>;
}

/**
 * `bin/mqbroker` on a free listenPort (with listenPort-2 and listenPort+1 free too), a 64 MiB CommitLog,
 * its store under its own data folder; resolves once it printed "boot success".
 */
export function startReferenceBroker(o: ReferenceBrokerOptions): Promise<ReferenceServer> {
  return withDataDir('rmq-ref-broker-', async (dataDir) => {
    const port = await freeBrokerPort();
    const keys: Record<string, string | number | boolean> = {
      listenPort: port,
      haListenPort: port + 1,
      brokerName: o.brokerName ?? 'broker-a',
      brokerClusterName: o.brokerClusterName ?? 'DefaultCluster',
      brokerId: o.brokerId ?? 0,
      brokerIP1: '127.0.0.1',
      brokerIP2: '127.0.0.1',
      storePathRootDir: join(dataDir, 'store'),
      mappedFileSizeCommitLog: 64 * 1024 * 1024,
      ...((o.brokerId ?? 0) > 0 ? { brokerRole: 'SLAVE' } : {}),
      ...o.extra,
    };
    const args = ['-n', o.namesrvAddr, ...Object.entries(keys).map(([k, v]) => `--${k}=${v}`)];
    const p = await startServerProcess(join(REFERENCE_HOME, 'bin/mqbroker'), args, {
      env: { ...process.env, RMQ_DATA: dataDir, JAVA_OPT: '-Xms256m -Xmx256m -Xmn128m' },
      ready: /boot success/,
      what: 'reference broker',
      timeoutMs: 90_000,
    });
    return server(`127.0.0.1:${port}`, port, dataDir, p);
  });
}

function server(addr: string, port: number, dataDir: string, p: ServerProcess): ReferenceServer {
  return {
    addr,
    port,
    dataDir,
    process: p,
    async shutdown() {
      await p.kill();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
