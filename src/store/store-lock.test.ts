import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreInUseError } from './store-lock.js';
import { makeTempDir, openStore, tinyConfig } from './testing/store-fixture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function dir(): string {
  const d = makeTempDir();
  dirs.push(d);
  return d;
}

describe('store folder lock (the abort file names the running broker)', () => {
  it('refuses a folder whose abort file names another live node process', async () => {
    const d = dir();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(join(d, 'abort'), String(child.pid));
      const err = await openStore(tinyConfig(d)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreInUseError);
      expect((err as Error).message).toContain(`in use by process ${child.pid}`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('recovers a folder whose abort file names a dead process, this process, or nothing (4.9.8)', async () => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid!)));
    for (const content of [String(deadPid), String(process.pid), '']) {
      const d = dir();
      fs.writeFileSync(join(d, 'abort'), content);
      const store = await openStore(tinyConfig(d));
      await store.shutdown();
      expect(fs.existsSync(join(d, 'abort'))).toBe(false);
    }
  });
});
