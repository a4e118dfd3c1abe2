/**
 * Real `cometmq namesrv` and `cometmq broker` child processes for integration tests: ephemeral ports
 * on 127.0.0.1 (the broker is started with listenPort=0 and reports the port it got), temp data
 * folders, and every process killed by PID.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { killGroup, spawnInGroup } from './child-process.js';

const REPO = resolve(import.meta.dirname, '../..');
/** COMETMQ_MAIN overrides it (as in mq-cluster.ts), e.g. a build of a clean checkout. */
export const COMETMQ_MAIN = process.env.COMETMQ_MAIN ?? join(REPO, 'dist/src/cli/main.js');

export interface RunningProcess {
  proc: ChildProcess;
  /** "ip:port" parsed from the process's listening line */
  addr: string;
  output(): string;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  /** SIGTERM and wait for exit (graceful stop); SIGKILL after timeoutMs. */
  terminate(timeoutMs?: number): Promise<number | null>;
}

function start(args: string[], ready: RegExp, what: string, timeoutMs = 30_000): Promise<RunningProcess> {
  // its own process group, killed with this test process (child-process.ts)
  const proc = spawnInGroup(process.execPath, [COMETMQ_MAIN, ...args], {
    env: { ...process.env, COMETMQ_LOG_LEVEL: process.env.COMETMQ_TEST_LOG_LEVEL ?? 'warn' },
  });
  let out = '';
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const kill = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
    killGroup(proc, 'SIGKILL');
    await exited;
  };
  return new Promise<RunningProcess>((resolveUp, reject) => {
    const timer = setTimeout(() => {
      void kill();
      reject(new Error(`${what} did not start in ${timeoutMs} ms:\n${out.slice(-3000)}`));
    }, timeoutMs);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUp({
          proc,
          addr: m[1]!,
          output: () => out,
          kill,
          async terminate(graceMs = 15_000) {
            if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined)
              return proc.exitCode;
            process.kill(proc.pid, 'SIGTERM');
            const t = setTimeout(() => void kill(), graceMs);
            const code = await exited;
            clearTimeout(t);
            return code;
          },
        });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${out.slice(-3000)}`));
    });
  });
}

export function startNamesrv(extra: string[] = []): Promise<RunningProcess> {
  return start(
    ['namesrv', '-p', '0', '--bindAddress=127.0.0.1', ...extra],
    /NameServer listening on \S+?:(\d+)/,
    'namesrv',
  ).then((p) => ({ ...p, addr: `127.0.0.1:${p.addr}` }));
}

export interface BrokerProcessOptions {
  namesrvAddr: string;
  storePathRootDir: string;
  brokerName?: string;
  extra?: string[];
}

export function startBroker(o: BrokerProcessOptions): Promise<RunningProcess> {
  return start(
    [
      'broker',
      '-n',
      o.namesrvAddr,
      '--listenPort=0',
      '--bindAddress=127.0.0.1',
      '--brokerIP1=127.0.0.1',
      '--brokerIP2=127.0.0.1',
      '--haListenPort=0',
      `--brokerName=${o.brokerName ?? 'broker-a'}`,
      `--storePathRootDir=${o.storePathRootDir}`,
      '--mappedFileSizeCommitLog=16777216',
      '--mappedFileSizeConsumeQueue=60000',
      '--maxHashSlotNum=1000',
      '--maxIndexNum=4000',
      ...(o.extra ?? []),
      // e.g. COMETMQ_TEST_BROKER_ARGS=--networkWorkerEnable=true runs the suites against that mode
      ...(process.env.COMETMQ_TEST_BROKER_ARGS ?? '').split(' ').filter((a) => a.length > 0),
    ],
    /Broker listening on (\S+)/,
    'broker',
  );
}

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
