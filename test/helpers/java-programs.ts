/**
 * The reference distribution's own Java programs as test subjects: `bin/example CLASS` (RocketMQ's
 * example programs, unmodified) and `bin/mqadmin SUBCOMMAND`. Each run is one JVM with a small heap, its
 * own RMQ_DATA (user.home: client logs, broadcasting offsets under .rocketmq_offsets), output collected
 * with arrival times, and is stopped by its PID. Programs that never exit (push consumers, lite pull
 * loops) are run until their output satisfies a predicate or a deadline passes, then killed.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { killGroup, spawnInGroup } from './child-process.js';
import { REFERENCE_HOME } from './mq-cluster.js';

/** Light JVMs: several run beside two brokers on a 2-core machine; C1 only (short-lived programs). */
const JAVA_OPT = '-Xms64m -Xmx128m -XX:TieredStopAtLevel=1';

export interface TimedLine {
  /** Date.now() when the line was read */
  at: number;
  text: string;
}

export interface JavaProgram {
  readonly pid: number;
  /** stdout and stderr so far, interleaved as they arrived */
  output(): string;
  /** complete lines so far, with the time each was read */
  lines(): TimedLine[];
  /** when the character at `index` of output() was read (Date.now()) */
  timeOf(index: number): number;
  isRunning(): boolean;
  /** Resolves true once `predicate(output())` holds, false if the deadline passes or the program exits first. */
  waitFor(predicate: (output: string) => boolean, timeoutMs: number): Promise<boolean>;
  /** Resolves to the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
}

export interface JavaProgramOptions {
  /** NAMESRV_ADDR; examples that hard-code 127.0.0.1:9876 ignore it */
  namesrvAddr?: string;
  /** RMQ_DATA (the JVM's user.home) */
  dataDir: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

function startJava(script: string, first: string, o: JavaProgramOptions): JavaProgram {
  const env: NodeJS.ProcessEnv = { ...process.env, ...o.env, RMQ_DATA: o.dataDir, JAVA_OPT };
  if (o.namesrvAddr !== undefined) env.NAMESRV_ADDR = o.namesrvAddr;
  else delete env.NAMESRV_ADDR;
  // its own process group (the script and its JVM), killed with this test process (child-process.ts)
  const proc: ChildProcess = spawnInGroup(join(REFERENCE_HOME, 'bin', script), [first, ...(o.args ?? [])], {
    env,
  });
  let out = '';
  let partial = '';
  const lines: TimedLine[] = [];
  /** output length after each chunk, and when it came: Java flushes stdout every 128 bytes or newline */
  const chunks: { end: number; at: number }[] = [];
  const waiters = new Set<() => void>();
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => {
      exitCode = code;
      for (const w of waiters) w();
      resolve(code);
    });
    proc.once('error', () => {
      exitCode = null;
      for (const w of waiters) w();
      resolve(null);
    });
  });
  const onData = (d: Buffer): void => {
    const s = d.toString();
    out += s;
    const now = Date.now();
    chunks.push({ end: out.length, at: now });
    const parts = (partial + s).split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) lines.push({ at: now, text });
    for (const w of waiters) w();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const isRunning = (): boolean => exitCode === undefined && proc.pid !== undefined;
  return {
    pid: proc.pid ?? -1,
    output: () => out,
    lines: () => lines,
    timeOf(index) {
      return chunks.find((c) => c.end > index)?.at ?? Date.now();
    },
    isRunning,
    exited,
    // Checked every 250 ms and at exit rather than per chunk: predicates parse the whole output.
    waitFor(predicate, timeoutMs) {
      if (predicate(out)) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const done = (v: boolean): void => {
          clearTimeout(timer);
          clearInterval(poll);
          waiters.delete(onExit);
          resolve(v);
        };
        const check = (): void => {
          if (predicate(out)) done(true);
          else if (!isRunning()) done(false);
        };
        const onExit = (): void => {
          if (!isRunning()) check();
        };
        const timer = setTimeout(() => done(predicate(out)), timeoutMs);
        const poll = setInterval(check, 250);
        waiters.add(onExit);
      });
    },
    async kill() {
      if (!isRunning()) return;
      killGroup(proc, 'SIGKILL');
      await exited;
    },
  };
}

/** `bin/example CLASS` (CLASS under org.apache.rocketmq.example, e.g. `quickstart.Producer`). */
export function startExample(className: string, o: JavaProgramOptions): JavaProgram {
  return startJava('example', className, o);
}

export interface FinishedRun {
  output: string;
  lines: TimedLine[];
  timeOf(index: number): number;
  /** exit code, or null when it had to be killed (deadline or `until`) */
  code: number | null;
  /** true when the run was stopped because `until` held */
  satisfied: boolean;
}

/**
 * Runs an example to its end, or until `until(output)` holds (programs that never exit), killing it
 * after `timeoutMs` at the latest.
 */
export async function runExample(
  className: string,
  o: JavaProgramOptions & { until?: (output: string) => boolean; timeoutMs: number },
): Promise<FinishedRun> {
  const p = startExample(className, o);
  try {
    const until = o.until;
    let satisfied = false;
    if (until) {
      satisfied = await p.waitFor(until, o.timeoutMs);
    } else {
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), o.timeoutMs).unref());
      await Promise.race([p.exited, timer]);
    }
    await p.kill();
    const code = await p.exited;
    return { output: p.output(), lines: p.lines(), timeOf: p.timeOf, code, satisfied };
  } finally {
    await p.kill();
  }
}

export interface MqadminResult {
  output: string;
  code: number | null;
}

/** `bin/mqadmin SUBCOMMAND args...` to its end (killed after `timeoutMs`). */
export async function runMqadmin(
  args: string[],
  o: { dataDir: string; timeoutMs?: number },
): Promise<MqadminResult> {
  const [sub, ...rest] = args;
  const p = startJava('mqadmin', sub!, { dataDir: o.dataDir, args: rest });
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), o.timeoutMs ?? 60_000).unref());
  try {
    await Promise.race([p.exited, timer]);
  } finally {
    await p.kill();
  }
  return { output: p.output(), code: await p.exited };
}
