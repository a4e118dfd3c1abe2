/**
 * One NameServer and one broker for interop suites, either CometMQ's (`cometmq namesrv` + `cometmq broker`,
 * built in dist/) or the reference Apache RocketMQ 4.9.8, with the same broker keys for both, so a suite
 * can run the same case against each (`describe.each(interopTargets())`). 127.0.0.1 only, free ports,
 * temp folders, every process killed by PID on shutdown.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import {
  COMETMQ_MAIN,
  type RunningProcess,
  startBroker,
  startNamesrv,
  tempDir,
} from './cometmq-processes.js';
import { referenceAvailable, startReferenceBroker, startReferenceNamesrv } from './reference-processes.js';

export type InteropTarget = 'cometmq' | 'reference';

export interface InteropCluster {
  readonly target: InteropTarget;
  readonly namesrvAddr: string;
  readonly brokerAddr: string;
  readonly brokerName: string;
  readonly clusterName: string;
  /** Kills the broker and the NameServer, removes their folders. */
  shutdown(): Promise<void>;
}

export function cometmqBuilt(): boolean {
  return existsSync(COMETMQ_MAIN);
}

/**
 * The targets interop suites run against: COMETMQ_INTEROP_TARGETS=cometmq|reference|both (default both),
 * limited to what is here (the reference needs shared/reference; CometMQ needs `npm run build`). The
 * Java programs themselves come from the reference, so without it there is nothing to run.
 */
export function interopTargets(): InteropTarget[] {
  if (!referenceAvailable()) return [];
  const env = process.env.COMETMQ_INTEROP_TARGETS ?? 'both';
  const wanted: InteropTarget[] = env === 'cometmq' || env === 'reference' ? [env] : ['cometmq', 'reference'];
  return wanted.filter((t) => t === 'reference' || cometmqBuilt());
}

/**
 * The reference is given ports probed free a moment before (it cannot take port 0), so another test
 * process may take one first: start again on new ports.
 */
async function withRetries<T>(attempts: number, start: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (err) {
      if (i >= attempts) throw err;
    }
  }
}

export interface InteropClusterOptions {
  brokerName?: string;
  /** broker.conf keys given to either broker (`--key=value`) */
  brokerConfig?: Record<string, string | number | boolean>;
}

export async function startInteropCluster(
  target: InteropTarget,
  o: InteropClusterOptions = {},
): Promise<InteropCluster> {
  const brokerName = o.brokerName ?? 'broker-a';
  const config = o.brokerConfig ?? {};
  if (target === 'reference') {
    const { ns, broker } = await withRetries(3, async () => {
      const ns = await startReferenceNamesrv();
      try {
        return {
          ns,
          broker: await startReferenceBroker({ namesrvAddr: ns.addr, brokerName, extra: config }),
        };
      } catch (err) {
        await ns.shutdown();
        throw err;
      }
    });
    return {
      target,
      namesrvAddr: ns.addr,
      brokerAddr: broker.addr,
      brokerName,
      clusterName: 'DefaultCluster',
      async shutdown() {
        await broker.shutdown();
        await ns.shutdown();
      },
    };
  }
  const dir = await tempDir('cometmq-interop-');
  let ns: RunningProcess | undefined;
  let broker: RunningProcess | undefined;
  try {
    ns = await startNamesrv();
    broker = await startBroker({
      namesrvAddr: ns.addr,
      storePathRootDir: dir.path,
      brokerName,
      extra: Object.entries(config).map(([k, v]) => `--${k}=${v}`),
    });
  } catch (err) {
    await ns?.kill();
    await dir.remove();
    throw err;
  }
  const n = ns;
  const b = broker;
  return {
    target,
    namesrvAddr: n.addr,
    brokerAddr: b.addr,
    brokerName,
    clusterName: 'DefaultCluster',
    async shutdown() {
      await b.kill();
      await n.kill();
      await dir.remove();
    },
  };
}

/**
 * One cluster per target for the calling test file: all started in beforeAll (side by side), all shut
 * down in afterAll. The map is filled once beforeAll has run.
 */
export function useInteropClusters(
  targets: readonly InteropTarget[],
  options: InteropClusterOptions,
): Map<InteropTarget, InteropCluster> {
  const clusters = new Map<InteropTarget, InteropCluster>();
  beforeAll(async () => {
    const started = await Promise.allSettled(
      targets.map(async (t) => clusters.set(t, await startInteropCluster(t, options))),
    );
    for (const s of started) if (s.status === 'rejected') throw s.reason;
  }, 180_000);
  afterAll(async () => {
    await Promise.all([...clusters.values()].map((c) => c.shutdown()));
  }, 60_000);
  return clusters;
}
