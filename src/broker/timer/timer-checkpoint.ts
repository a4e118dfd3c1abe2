import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { readLong, writeLong } from './timer-log.js';

const SIZE = 48;

/**
 * TimerCheckpoint (RocketMQ 5 store/timer/TimerCheckpoint, file storePathRootDir/config/timercheck):
 * lastReadTimeMs (every slot before it delivered), lastTimerLogFlushPos (TimerLog durable up to here,
 * the wheel written after it), lastTimerQueueOffset (timer ConsumeQueue entries before it are in the
 * TimerLog), masterTimerQueueOffset, then a data version (counter, time). Written whole to a temporary
 * file, fsynced and renamed over the old one, so a crash leaves the old or the new one.
 */
export class TimerCheckpoint {
  readonly path: string;
  lastReadTimeMs = 0;
  lastTimerLogFlushPos = 0;
  lastTimerQueueOffset = 0;
  masterTimerQueueOffset = 0;
  private counter = 0;

  constructor(rootDir: string) {
    this.path = join(rootDir, 'config', 'timercheck');
  }

  /** False when there is no checkpoint yet. */
  async load(): Promise<boolean> {
    let fh: Awaited<ReturnType<typeof open>>;
    try {
      fh = await open(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    try {
      const buf = Buffer.alloc(SIZE);
      const { bytesRead } = await fh.read(buf, 0, SIZE, 0);
      if (bytesRead < 32) return false;
      this.lastReadTimeMs = readLong(buf, 0);
      this.lastTimerLogFlushPos = readLong(buf, 8);
      this.lastTimerQueueOffset = readLong(buf, 16);
      this.masterTimerQueueOffset = readLong(buf, 24);
      if (bytesRead >= SIZE) this.counter = readLong(buf, 32);
      return true;
    } finally {
      await fh.close();
    }
  }

  async flush(now: number): Promise<void> {
    const buf = Buffer.alloc(SIZE);
    writeLong(buf, 0, this.lastReadTimeMs);
    writeLong(buf, 8, this.lastTimerLogFlushPos);
    writeLong(buf, 16, this.lastTimerQueueOffset);
    writeLong(buf, 24, this.masterTimerQueueOffset);
    writeLong(buf, 32, ++this.counter);
    writeLong(buf, 40, now);
    const tmp = `${this.path}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.write(buf, 0, SIZE, 0);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.path);
  }
}
