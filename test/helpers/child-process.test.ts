/**
 * child-process.ts: children run in a process group of their own, kill() takes the whole group, a
 * graceful stop() reaches the program only, and the group dies with the test process even when that
 * is SIGKILLed (the watchdog reads EOF on its pipe).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { groupSpawnArgs, startServerProcess } from './child-process.js';

/** True while the process exists and is not a zombie (a container's init may not reap at once). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Live (non-zombie) members of a process group, from /proc. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[2]) === pgid) out.push(Number(name));
    } catch {}
  }
  return out;
}

async function waitGroupEmpty(pgid: number, ms: number): Promise<number[]> {
  const until = Date.now() + ms;
  let left = groupMembers(pgid);
  while (left.length > 0 && Date.now() < until) {
    await sleep(50);
    left = groupMembers(pgid);
  }
  return left;
}

async function waitDead(pids: number[], ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (pids.every((p) => !alive(p))) return true;
    await sleep(50);
  }
  return pids.every((p) => !alive(p));
}

function killQuietly(pids: number[]): void {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {}
  }
}

/** A program that starts a grandchild (as bin/mqbroker starts a JVM) and exits 0 on SIGTERM. */
const PROGRAM = [
  '-e',
  `const c = require('node:child_process').spawn('sleep', ['30'], { stdio: 'ignore' });
   process.on('SIGTERM', () => { c.kill('SIGKILL'); process.exit(0); });
   console.log('ready ' + process.pid + ' ' + c.pid);
   setInterval(() => {}, 1000);`,
];

const pidsOf = (s: string): number[] => (/ready (\d+) (\d+)/.exec(s) ?? []).slice(1).map(Number);

describe('child-process: process groups', () => {
  it('kill() takes the program and what it started', async () => {
    const p = await startServerProcess(process.execPath, PROGRAM, {
      ready: /ready \d+ \d+/,
      what: 'program',
    });
    const [pid, grandchild] = pidsOf(p.output());
    try {
      // exec: the pid spawn() reported is the program's, the group leader
      expect(pid).toBe(p.pid);
      expect(alive(grandchild!)).toBe(true);
      await p.kill();
      expect(await waitDead([pid!, grandchild!], 5000)).toBe(true);
      // the watchdog went with them: the group is empty
      expect(await waitGroupEmpty(p.pid, 5000)).toEqual([]);
    } finally {
      killQuietly([pid!, grandchild!]);
    }
  });

  it('stop() is a graceful SIGTERM to the program; its exit code comes back and the group is gone after', async () => {
    const p = await startServerProcess(process.execPath, PROGRAM, {
      ready: /ready \d+ \d+/,
      what: 'program',
    });
    const [pid, grandchild] = pidsOf(p.output());
    try {
      expect(await p.stop(5000)).toBe(0);
      expect(await waitDead([pid!, grandchild!], 5000)).toBe(true);
      expect(await waitGroupEmpty(p.pid, 5000)).toEqual([]);
    } finally {
      killQuietly([pid!, grandchild!]);
    }
  });

  it('a SIGKILLed test process takes its children with it', async () => {
    // a stand-in for a test process: starts PROGRAM as spawnInGroup does, prints its pids, waits
    const [sh, shArgs] = groupSpawnArgs(process.execPath, PROGRAM);
    const parentCode = `const p = require('node:child_process').spawn(${JSON.stringify(sh)}, ${JSON.stringify(shArgs)},
      { detached: true, stdio: ['pipe', 'pipe', 'inherit'] });
      p.stdout.on('data', (d) => process.stdout.write(d));
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', parentCode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    parent.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    let pids: number[] = [];
    try {
      for (let i = 0; i < 200 && pids.length === 0; i++) {
        await sleep(50);
        pids = pidsOf(out);
      }
      expect(pids).toHaveLength(2);
      expect(pids.every(alive)).toBe(true);
      expect(groupMembers(pids[0]!).length).toBeGreaterThanOrEqual(3); // program, grandchild, watchdog
      parent.kill('SIGKILL');
      expect(await waitDead(pids, 10_000)).toBe(true);
      expect(await waitGroupEmpty(pids[0]!, 5000)).toEqual([]);
    } finally {
      parent.kill('SIGKILL');
      killQuietly(pids);
    }
  });
});
