/**
 * One long-running child process for tests: started, awaited until a line of its output says it is
 * ready, and stopped by PID (SIGTERM with a SIGKILL fallback, or SIGKILL). Nothing here knows which
 * server it runs; cometmq-processes.ts and reference-processes.ts build on it.
 */
import { type ChildProcess, spawn } from 'node:child_process';

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
  const proc = spawn(command, args, {
    env: o.env ?? process.env,
    cwd: o.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
    process.kill(proc.pid!, 'SIGKILL');
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
