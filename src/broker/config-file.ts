import { constants } from 'node:fs';
import { copyFile, mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { componentLogger } from '../common/logger.js';

const log = componentLogger('broker-config-file');

/**
 * Writes a config JSON file as RocketMQ's MixAll.string2File does, made crash-safe: the new content goes
 * to `<file>.tmp` and is fsynced, the current file is copied to `<file>.bak`, then the temp file is
 * renamed over the file and the directory fsynced. A crash leaves either the old or the new file, and
 * the .bak always holds a complete earlier version.
 */
export async function writeConfigFileAtomically(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await copyFile(path, `${path}.bak`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await rename(tmp, path);
  try {
    const dir = await open(dirname(path), constants.O_RDONLY);
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // some filesystems refuse fsync on a directory; the rename is still atomic
  }
}

/**
 * ConfigManager.load: the file, or when it is missing or unreadable its .bak; null when neither exists
 * (a new broker). `decode` throws on content it cannot use.
 */
export async function readConfigFile<T>(path: string, decode: (text: string) => T): Promise<T | null> {
  for (const candidate of [path, `${path}.bak`]) {
    let text: string;
    try {
      text = await readFile(candidate, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if (text.trim().length === 0) continue;
    try {
      return decode(text);
    } catch (err) {
      log.warn({ err, file: candidate }, 'config file unreadable, trying its backup');
    }
  }
  return null;
}

/**
 * Serialises persist() calls of one manager: a persist requested while one runs is folded into one
 * more run after it, so the file always ends with the latest state and writes never interleave.
 */
export class PersistQueue {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly write: () => Promise<void>) {}

  persist(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.write();
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }
}
