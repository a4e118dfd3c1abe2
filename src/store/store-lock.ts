import * as fs from 'node:fs';
import { StoreError } from './store-error.js';

/** A second broker on a store folder that a running one uses: it would recover and write over it. */
export class StoreInUseError extends StoreError {
  override readonly name = 'StoreInUseError';
}

/**
 * RocketMQ locks storePathRootDir/lock (FileChannel.tryLock) so that a second broker on the same folder
 * fails to start. Node has no advisory locks, so the `abort` file does the job: a running store writes
 * its PID there (start) and removes it on a clean stop. When it names a live Node or Java process other
 * than this one, the folder is in use; a dead PID or an empty file (4.9.8 writes none) is a crash left
 * behind, which recovery handles.
 */
export function assertStoreNotInUse(abortPath: string, rootDir: string): void {
  let text: string;
  try {
    text = fs.readFileSync(abortPath, 'utf8').trim();
  } catch {
    return; // no abort file: the last stop was clean
  }
  if (!/^\d+$/.test(text)) return;
  const pid = Number(text);
  if (pid === process.pid || !isAlive(pid) || !isBrokerLike(pid)) return;
  throw new StoreInUseError(
    `store folder ${rootDir} is in use by process ${pid} (its abort file names it): stop that broker first, or give this one another storePathRootDir`,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** After a reboot the PID may belong to anything: only a node or java process counts as a broker. */
function isBrokerLike(pid: number): boolean {
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return true; // no /proc (not Linux): trust the live PID
  }
  const exe = cmdline.split('\0')[0] ?? '';
  return /(^|\/)(node|nodejs|java)[^/]*$/.test(exe);
}
