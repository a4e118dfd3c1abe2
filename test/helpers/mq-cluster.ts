/**
 * Starts a real NameServer and broker for client integration tests, either the reference Apache
 * RocketMQ 4.9.8 (`reference`) or CometMQ's own (`cometmq`), chosen by COMETMQ_TEST_TARGET (default:
 * cometmq when its broker is built, else reference). Ports are free ephemeral ones on 127.0.0.1, data
 * lives in a temp folder removed on stop, and every process is killed by PID.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { killGroup, spawnInGroup } from './child-process.js';

export type ClusterTarget = 'reference' | 'cometmq';

const REPO = resolve(import.meta.dirname, '../..');
/** The reference distribution: $COMETMQ_REFERENCE_HOME, else shared/ beside the clone (as CI lays it out), else /work/shared. */
export const REFERENCE_HOME =
  [
    process.env.COMETMQ_REFERENCE_HOME,
    resolve(REPO, '../shared/reference/rocketmq-4.9.8'),
    '/work/shared/reference/rocketmq-4.9.8',
  ].find((p): p is string => p !== undefined && existsSync(join(p, 'bin/mqbroker'))) ??
  '/work/shared/reference/rocketmq-4.9.8';
/** CometMQ's built CLI (`npm run build`; `npm test` builds before running vitest). */
const COMETMQ_MAIN = process.env.COMETMQ_MAIN ?? join(REPO, 'dist/src/cli/main.js');

export interface MQCluster {
  target: ClusterTarget;
  namesrvAddr: string;
  brokerAddr: string;
  dataDir: string;
  /** Stops the broker only (keeps the NameServer), for restart scenarios. */
  stop(): Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const s = createServer();
    s.once('error', () => resolvePort(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolvePort(true)));
  });
}

async function ephemeralPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address();
  const port = typeof a === 'object' && a !== null ? a.port : 0;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A port p with p-2 and p+1 free too: RocketMQ's broker also binds its VIP and HA ports there. */
async function brokerPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const p = await ephemeralPort();
    if (p < 1100 || p > 65000) continue;
    if ((await portFree(p - 2)) && (await portFree(p + 1))) return p;
  }
  throw new Error('no free broker port triple found');
}

/**
 * The servers client tests run against: COMETMQ_TEST_TARGET=reference|cometmq|both; by default every one
 * that is available here (CometMQ once built, which `npm test` does; the reference when shared/ has it).
 */
export function testTargets(): ClusterTarget[] {
  const env = process.env.COMETMQ_TEST_TARGET;
  const wanted: ClusterTarget[] = env === 'reference' || env === 'cometmq' ? [env] : ['cometmq', 'reference'];
  return wanted.filter(targetAvailable);
}

/** The first of testTargets(), for suites that need only one server. */
export function defaultTarget(): ClusterTarget {
  return testTargets()[0] ?? 'reference';
}

export function targetAvailable(target: ClusterTarget): boolean {
  return target === 'reference' ? existsSync(join(REFERENCE_HOME, 'bin/mqbroker')) : existsSync(COMETMQ_MAIN);
}

function startProcess(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  what: string,
  timeoutMs: number,
) {
  // its own process group (a script and its JVM), killed with this test process (child-process.ts)
  const proc = spawnInGroup(cmd, args, { env });
  let output = '';
  const up = new Promise<void>((resolveUp, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what} did not start in ${timeoutMs} ms:\n${output.slice(-3000)}`)),
      timeoutMs,
    );
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolveUp();
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${output.slice(-3000)}`));
    });
  });
  return { proc, up };
}

async function kill(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  killGroup(proc, 'SIGKILL');
  await exited;
}

/**
 * Ports are found free here but bound by the server seconds later (a JVM starts slowly), so another
 * test's socket can take one in between: such a start is tried again on new ports, twice at most.
 */
async function startWithPortRetry(start: () => Promise<void>, newPorts: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      return;
    } catch (err) {
      if (attempt >= 3 || !/BindException|Address already in use|EADDRINUSE/.test(String(err))) throw err;
      await newPorts();
    }
  }
}

export interface StartedCluster extends MQCluster {
  /** Starts the broker again on the same ports and data (after stop()). */
  restart(): Promise<void>;
  /** Kills everything and removes the data folder. */
  shutdown(): Promise<void>;
}

export interface ClusterOptions {
  /** Extra `--key=value` broker settings (any broker.conf key), for both targets. */
  brokerArgs?: string[];
}

export async function startCluster(
  target: ClusterTarget = defaultTarget(),
  opts: ClusterOptions = {},
): Promise<StartedCluster> {
  const dataDir = await mkdtemp(join(tmpdir(), `cometmq-client-${target}-`));
  // let: a start that loses its port to another process in the meantime is retried on new ones
  let nsPort = await ephemeralPort();
  let bPort = await brokerPort();
  let namesrvAddr = `127.0.0.1:${nsPort}`;
  let brokerAddr = `127.0.0.1:${bPort}`;
  let namesrv: ChildProcess | undefined;
  let broker: ChildProcess | undefined;

  const env = {
    ...process.env,
    RMQ_DATA: dataDir,
    JAVA_OPT: '-Xms256m -Xmx256m -Xmn128m',
    COMETMQ_LOG_LEVEL: 'warn',
  };
  const startBroker = async (): Promise<void> => {
    const b =
      target === 'reference'
        ? startProcess(
            join(REFERENCE_HOME, 'bin/mqbroker'),
            [
              '-n',
              namesrvAddr,
              `--listenPort=${bPort}`,
              `--storePathRootDir=${join(dataDir, 'store')}`,
              '--mappedFileSizeCommitLog=67108864',
              '--brokerIP1=127.0.0.1',
              '--brokerName=broker-a',
              // a cold JVM on two cores sheds load after 200 ms of queueing; tests send in bursts
              '--waitTimeMillsInSendQueue=3000',
              ...(opts.brokerArgs ?? []),
            ],
            env,
            /boot success/,
            'reference broker',
            60_000,
          )
        : startProcess(
            process.execPath,
            [
              COMETMQ_MAIN,
              'broker',
              '-n',
              namesrvAddr,
              `--listenPort=${bPort}`,
              `--storePathRootDir=${join(dataDir, 'store')}`,
              '--mappedFileSizeCommitLog=67108864',
              '--brokerIP1=127.0.0.1',
              '--brokerName=broker-a',
              ...(opts.brokerArgs ?? []),
            ],
            env,
            /boot success/,
            'cometmq broker',
            30_000,
          );
    broker = b.proc;
    await b.up;
  };

  const startNamesrv = async (): Promise<void> => {
    const ns =
      target === 'reference'
        ? startProcess(
            join(REFERENCE_HOME, 'bin/mqnamesrv'),
            ['-p', String(nsPort)],
            env,
            /boot success/,
            'reference namesrv',
            60_000,
          )
        : startProcess(
            process.execPath,
            [COMETMQ_MAIN, 'namesrv', '-p', String(nsPort)],
            env,
            /boot success/,
            'cometmq namesrv',
            30_000,
          );
    namesrv = ns.proc;
    await ns.up;
  };

  try {
    await startWithPortRetry(startNamesrv, async () => {
      await kill(namesrv);
      nsPort = await ephemeralPort();
      namesrvAddr = `127.0.0.1:${nsPort}`;
    });
    await startWithPortRetry(startBroker, async () => {
      await kill(broker);
      bPort = await brokerPort();
      brokerAddr = `127.0.0.1:${bPort}`;
    });
  } catch (err) {
    await kill(broker);
    await kill(namesrv);
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }

  return {
    target,
    namesrvAddr,
    brokerAddr,
    dataDir,
    async stop() {
      await kill(broker);
      broker = undefined;
    },
    async restart() {
      await kill(broker);
      await startBroker();
    },
    async shutdown() {
      await kill(broker);
      await kill(namesrv);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
