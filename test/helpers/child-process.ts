/**
 * One long-running child process for tests: started, awaited until a line of its output says it is
 * ready, and stopped by PID (SIGTERM with a SIGKILL fallback, or SIGKILL). Nothing here knows which
 * server it runs; cometmq-processes.ts and reference-processes.ts build on it.
 *
 * Every child runs in a process group of its own (spawnInGroup), with a watchdog that SIGKILLs the
 * group when this test process goes away, however it goes (exit, crash, SIGKILL from a runner's
 * timeout): no NameServer, broker or JVM outlives the test that started it.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

/**
 * Run by /bin/sh before the program. It keeps a copy of its stdin, a pipe this process never writes
 * to, in a background watchdog, then becomes the program (exec: same pid, stdin /dev/null). When the
 * pipe's writer (this test process) is gone the watchdog reads EOF and SIGKILLs the whole group: the
 * program and anything it started. The watchdog ignores SIGTERM/SIGINT/SIGHUP, so a graceful stop of
 * the program leaves it in place, and its output goes nowhere, so the program's pipes close with it.
 */
const WATCHDOG =
  'exec 3<&0; (trap "" TERM INT HUP; cat <&3; kill -9 0) </dev/null >/dev/null 2>&1 & exec "$@" </dev/null 3<&-';

/** The command line spawnInGroup runs: `/bin/sh -c WATCHDOG sh command args...`. */
export function groupSpawnArgs(command: string, args: readonly string[]): [string, string[]] {
  return ['/bin/sh', ['-c', WATCHDOG, 'sh', command, ...args]];
}

/**
 * spawn() in a new process group (detached: the child's pid is the group id) behind the watchdog
 * above; stdout and stderr are pipes. Stop it with killGroup (the program and everything it started)
 * or by signalling `proc.pid` (the program only).
 */
export function spawnInGroup(
  command: string,
  args: readonly string[],
  o: Pick<SpawnOptions, 'env' | 'cwd'> = {},
): ChildProcess {
  const [sh, shArgs] = groupSpawnArgs(command, args);
  const proc = spawn(sh, shArgs, { env: o.env, cwd: o.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  // the watchdog's pipe: never written; the test process's own exit is what closes it
  proc.stdin?.on('error', () => {});
  // whatever the program left behind in its group once it has exited (the watchdog included)
  proc.once('exit', () => killGroup(proc, 'SIGKILL'));
  return proc;
}

/** Sends `signal` to the child's whole process group; false when there is none (already gone). */
export function killGroup(proc: ChildProcess, signal: NodeJS.Signals): boolean {
  if (proc.pid === undefined) return false;
  try {
    process.kill(-proc.pid, signal);
    return true;
  } catch {
    return false;
  }
}

export interface ServerProcess {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** The first capture group of `ready` (e.g. the port a server printed), or '' without one. */
  readonly readyMatch: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** True until the process has exited. */
  isRunning(): boolean;
  /** SIGTERM (graceful stop), SIGKILL after `graceMs`; resolves to the exit code (null when killed by a signal). */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Tested against all output so far (stdout and stderr) after every chunk. */
  ready: RegExp;
  /** Used in error messages. */
  what: string;
  timeoutMs?: number;
}

/** Starts `command args...` and resolves once `ready` matches its output; rejects (and kills it) on timeout or early exit. */
export function startServerProcess(command: string, args: string[], o: StartOptions): Promise<ServerProcess> {
  const proc = spawnInGroup(command, args, { env: o.env ?? process.env, cwd: o.cwd });
  let out = '';
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((r) =>
    proc.once('exit', (code) => {
      exitCode = code;
      r(code);
    }),
  );
  const isRunning = (): boolean => exitCode === undefined && proc.pid !== undefined;
  const kill = async (): Promise<void> => {
    if (!isRunning()) return;
    killGroup(proc, 'SIGKILL');
    await exited;
  };
  const stop = async (graceMs = 15_000): Promise<number | null> => {
    if (!isRunning()) return exitCode ?? null;
    process.kill(proc.pid!, 'SIGTERM');
    const t = setTimeout(() => void kill(), graceMs);
    const code = await exited;
    clearTimeout(t);
    return code;
  };
  const timeoutMs = o.timeoutMs ?? 30_000;
  return new Promise<ServerProcess>((resolve, reject) => {
    let settled = false;
    const fail = (msg: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void kill();
      reject(new Error(`${o.what} ${msg}:\n${out.slice(-3000)}`));
    };
    const timer = setTimeout(() => fail(`did not start in ${timeoutMs} ms`), timeoutMs);
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (settled) return;
      const m = o.ready.exec(out);
      if (!m) return;
      settled = true;
      clearTimeout(timer);
      resolve({ proc, pid: proc.pid!, readyMatch: m[1] ?? '', output: () => out, isRunning, stop, kill });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('error', (err) => fail(`could not be started (${err.message})`));
    proc.once('exit', (code) => fail(`exited with ${code}`));
  });
}
