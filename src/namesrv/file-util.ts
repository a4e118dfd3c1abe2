import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Replaces a file's content the way RocketMQ's MixAll.string2File does: write `<path>.tmp`, keep the
 * previous content as `<path>.bak`, then rename the tmp file over the original, so a crash mid-write
 * leaves either the old or the new file, never half of one.
 */
export async function writeFileWithBackup(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, content);
  try {
    await copyFile(path, `${path}.bak`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await rename(`${path}.tmp`, path);
}

/** Runs async writes one after another, so the last one queued is the last one on disk. */
export class SerialWriter {
  private tail: Promise<void> = Promise.resolve();

  run(task: () => Promise<void>): Promise<void> {
    const next = this.tail.then(task);
    this.tail = next.catch(() => {});
    return next;
  }

  /** Resolves when every write queued so far has finished (successfully or not). */
  idle(): Promise<void> {
    return this.tail;
  }
}
