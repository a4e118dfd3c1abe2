/**
 * CPU time and memory of another process, read from /proc (Linux): what `bench compare` charges to
 * each broker. utime + stime of /proc/PID/stat cover every thread of the process (a JVM's GC and
 * flush threads, Node's libuv pool), in clock ticks of `getconf CLK_TCK`.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let clockTicks: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`; 100 on every Linux we run on when getconf is missing). */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      clockTicks = Number.isInteger(n) && n > 0 ? n : 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime of the process, in microseconds; undefined once it is gone. */
export function processCpuMicros(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // field 2 (comm) is in parentheses and may hold spaces: count fields after the last ')'
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1_000_000) / clockTicksPerSecond();
}

/** Peak resident set size (VmHWM) in MiB; undefined once the process is gone. */
export function processPeakRssMiB(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Time the process's threads spent runnable but waiting for a CPU (field 2 of each
 * /proc/PID/task/TID/schedstat, ns), in microseconds: on a shared machine it says how much of a run
 * went to other processes. Threads that exited meanwhile are not counted. Undefined without schedstat.
 */
export function processRunQueueWaitMicros(pid: number): number | undefined {
  let total = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const f = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ');
        total += Number(f[1]) / 1000;
      } catch {
        // the thread ended between the listing and the read
      }
    }
  } catch {
    return undefined;
  }
  return Number.isFinite(total) ? total : undefined;
}

/** CPU a process spends between `start()` and `stop()`, in microseconds. */
export class ProcessCpuMeter {
  private readonly startedAt: number;
  private readonly waitStartedAt: number | undefined;

  constructor(private readonly pid: number) {
    const t = processCpuMicros(pid);
    if (t === undefined) throw new Error(`process ${pid} is not running (no /proc/${pid}/stat)`);
    this.startedAt = t;
    this.waitStartedAt = processRunQueueWaitMicros(pid);
  }

  /** Run-queue wait of its threads since construction, microseconds (NaN when unknown). */
  waitMicros(): number {
    const w = processRunQueueWaitMicros(this.pid);
    return w === undefined || this.waitStartedAt === undefined ? Number.NaN : w - this.waitStartedAt;
  }

  /** CPU microseconds since construction (NaN when the process died meanwhile). */
  elapsedMicros(): number {
    const t = processCpuMicros(this.pid);
    return t === undefined ? Number.NaN : t - this.startedAt;
  }
}

/**
 * Time the hypervisor ran something else while this VM's CPUs wanted to run (the `steal` column of
 * /proc/stat's cpu line), in microseconds; undefined where /proc/stat has no such column. It only
 * accrues while the VM is busy, so it tells what a measured window lost, not whether the host is idle.
 */
export function machineStealMicros(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!;
    const steal = Number(line.trim().split(/\s+/)[8]);
    return Number.isFinite(steal) ? (steal * 1_000_000) / clockTicksPerSecond() : undefined;
  } catch {
    return undefined;
  }
}
