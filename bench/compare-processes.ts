/**
 * The servers `bench compare` runs, one cluster (NameServer + broker) at a time: the reference Apache
 * RocketMQ 4.9.8 (bin/mqnamesrv, bin/mqbroker, which exec java, so the child's PID is the JVM's) or
 * CometMQ (`node dist/src/cli/main.js namesrv|broker`). 127.0.0.1 only, ports probed free (a RocketMQ
 * broker also binds listenPort-2 for its VIP channel and listenPort+1 for HA), data in one temp folder
 * per cluster, every process stopped by its PID; `killAllSync` is for exit and signal handlers.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BROKER_NODE_FLAGS } from '../src/cli/node-flags.js';

export type CompareTarget = 'reference' | 'cometmq';
export type FlushDiskType = 'ASYNC_FLUSH' | 'SYNC_FLUSH';

export interface ServerHandle {
  readonly pid: number;
  /** Last output lines, for error messages. */
  tail(): string;
  /** SIGKILL by PID and wait for the exit. */
  kill(): Promise<void>;
}

export interface Cluster {
  readonly target: CompareTarget;
  readonly namesrvAddr: string;
  readonly brokerAddr: string;
  readonly namesrv: ServerHandle;
  readonly broker: ServerHandle;
  /** Temp folder of both servers' data (the broker's store included). */
  readonly dataDir: string;
  /** Kills both processes by PID and removes the data folder (store included). */
  shutdown(): Promise<void>;
}

export interface ClusterOptions {
  target: CompareTarget;
  flushDiskType: FlushDiskType;
  referenceHome: string;
  /** JAVA_OPT of the reference broker. */
  brokerJavaOpt: string;
  /** dist/src/cli/main.js */
  cometmqMain: string;
  /** extra `--key=value` arguments of the CometMQ broker only (modes the reference has no key for) */
  cometmqBrokerArgs?: string[];
}

const live = new Set<ChildProcess>();
const liveDirs = new Set<string>();

/** SIGKILLs every process still running and removes every data folder (exit and signal handlers). */
export function killAllSync(): void {
  for (const p of live) {
    if (p.pid !== undefined && p.exitCode === null && p.signalCode === null) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  live.clear();
  for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  liveDirs.clear();
}

/** Where `cometmq`'s entry point is: beside this file once built, else the repository's dist/. */
export function defaultCometmqMain(): string {
  const built = resolve(import.meta.dirname, '../src/cli/main.js');
  return existsSync(built) ? built : resolve(import.meta.dirname, '../dist/src/cli/main.js');
}

export function defaultReferenceHome(): string {
  const fromEnv = process.env.COMETMQ_REFERENCE_HOME;
  if (fromEnv) return fromEnv;
  for (const up of ['../../..', '../..', '..']) {
    const p = resolve(import.meta.dirname, up, 'shared/reference/rocketmq-4.9.8');
    if (existsSync(join(p, 'bin/mqbroker'))) return p;
  }
  return '/work/shared/reference/rocketmq-4.9.8';
}

/** Whether the reference can run here: its scripts and a `java` on the PATH. */
export function referenceRunnable(home: string): string | undefined {
  if (!existsSync(join(home, 'bin/mqbroker'))) return `no reference distribution at ${home}`;
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    return 'java is not installed';
  }
  return undefined;
}

function start(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  what: string,
  timeoutMs: number,
): Promise<{ handle: ServerHandle; match: RegExpExecArray }> {
  const proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  let out = '';
  const exited = new Promise<void>((r) =>
    proc.once('exit', () => {
      live.delete(proc);
      r();
    }),
  );
  const handle: ServerHandle = {
    pid: proc.pid ?? -1,
    tail: () => out.slice(-3000),
    async kill() {
      if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
      process.kill(proc.pid, 'SIGKILL');
      await exited;
    },
  };
  return new Promise((resolveUp, reject) => {
    let settled = false;
    const fail = (msg: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void handle.kill();
      reject(new Error(`${what} ${msg}:\n${out.slice(-3000)}`));
    };
    const timer = setTimeout(() => fail(`did not start in ${timeoutMs} ms`), timeoutMs);
    const onData = (d: Buffer): void => {
      // read everything (a full pipe would block the server) but keep only the tail
      out = (out + d.toString()).slice(-20_000);
      if (settled) return;
      const m = ready.exec(out);
      if (!m) return;
      settled = true;
      clearTimeout(timer);
      resolveUp({ handle, match: m });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('error', (err) => fail(`could not be started (${err.message})`));
    proc.once('exit', (code, signal) => fail(`exited (${code ?? signal})`));
  });
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = createServer();
    s.once('error', () => r(false));
    s.listen(port, '127.0.0.1', () => s.close(() => r(true)));
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address();
  const port = typeof a === 'object' && a !== null ? a.port : 0;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** p with p-2 (VIP channel) and p+1 (HA) free too. */
async function freeBrokerPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await freePort();
    if (p > 1100 && p < 65000 && (await isPortFree(p - 2)) && (await isPortFree(p + 1))) return p;
  }
  throw new Error('no free broker port triple (p-2, p, p+1) found');
}

type Started = Omit<Cluster, 'shutdown' | 'dataDir'>;

async function startReference(o: ClusterOptions, dir: string): Promise<Started> {
  const nsPort = await freePort();
  const base = { ...process.env, RMQ_DATA: dir };
  const ns = await start(
    join(o.referenceHome, 'bin/mqnamesrv'),
    ['-p', String(nsPort)],
    { ...base, JAVA_OPT: '-Xms256m -Xmx256m -Xmn128m' },
    /boot success/,
    'reference namesrv',
    60_000,
  );
  const namesrvAddr = `127.0.0.1:${nsPort}`;
  try {
    const port = await freeBrokerPort();
    const keys: Record<string, string | number> = {
      listenPort: port,
      haListenPort: port + 1,
      brokerName: 'compare-broker',
      brokerIP1: '127.0.0.1',
      brokerIP2: '127.0.0.1',
      storePathRootDir: join(dir, 'store'),
      flushDiskType: o.flushDiskType,
    };
    const broker = await start(
      join(o.referenceHome, 'bin/mqbroker'),
      ['-n', namesrvAddr, ...Object.entries(keys).map(([k, v]) => `--${k}=${v}`)],
      { ...base, JAVA_OPT: o.brokerJavaOpt },
      /boot success/,
      'reference broker',
      90_000,
    );
    return {
      target: 'reference',
      namesrvAddr,
      brokerAddr: `127.0.0.1:${port}`,
      namesrv: ns.handle,
      broker: broker.handle,
    };
  } catch (err) {
    await ns.handle.kill();
    throw err;
  }
}

async function startCometmq(o: ClusterOptions, dir: string): Promise<Started> {
  const env = { ...process.env, COMETMQ_LOG_LEVEL: 'warn' };
  const ns = await start(
    process.execPath,
    [
      o.cometmqMain,
      'namesrv',
      '-p',
      '0',
      '--bindAddress=127.0.0.1',
      `--kvConfigPath=${join(dir, 'namesrv/kvConfig.json')}`,
      `--configStorePath=${join(dir, 'namesrv/namesrv.properties')}`,
    ],
    env,
    /NameServer listening on \S+?:(\d+)/,
    'cometmq namesrv',
    30_000,
  );
  const namesrvAddr = `127.0.0.1:${ns.match[1]}`;
  try {
    const broker = await start(
      process.execPath,
      [
        // as the `cometmq` executable starts a broker
        ...BROKER_NODE_FLAGS,
        o.cometmqMain,
        'broker',
        '-n',
        namesrvAddr,
        '--listenPort=0',
        '--haListenPort=0',
        '--bindAddress=127.0.0.1',
        '--brokerName=compare-broker',
        '--brokerIP1=127.0.0.1',
        '--brokerIP2=127.0.0.1',
        `--storePathRootDir=${join(dir, 'store')}`,
        `--flushDiskType=${o.flushDiskType}`,
        ...(o.cometmqBrokerArgs ?? []),
      ],
      env,
      /Broker listening on (\S+)/,
      'cometmq broker',
      60_000,
    );
    return {
      target: 'cometmq',
      namesrvAddr,
      brokerAddr: broker.match[1]!,
      namesrv: ns.handle,
      broker: broker.handle,
    };
  } catch (err) {
    await ns.handle.kill();
    throw err;
  }
}

/**
 * One NameServer and one broker of `target` with `flushDiskType`; a reference start that lost a probed
 * port to another process is retried on new ports.
 */
export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), `cometmq-compare-${o.target}-`));
  liveDirs.add(dir);
  const attempts = o.target === 'reference' ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      const c = o.target === 'reference' ? await startReference(o, dir) : await startCometmq(o, dir);
      return {
        ...c,
        dataDir: dir,
        async shutdown() {
          await c.broker.kill();
          await c.namesrv.kill();
          await rm(dir, { recursive: true, force: true });
          liveDirs.delete(dir);
        },
      };
    } catch (err) {
      const portTaken = /Address already in use|BindException/.test((err as Error).message);
      if (attempt >= attempts || !portTaken) {
        await rm(dir, { recursive: true, force: true });
        liveDirs.delete(dir);
        throw err;
      }
    }
  }
}
