import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PageCacheAdvice } from './page-cache-advice.js';
import { residentBytes } from './testing/page-cache.js';
import { makeTempDir } from './testing/store-fixture.js';

const MiB = 1024 * 1024;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A file of `mib` MiB written and fdatasynced (clean pages, all cached). */
function writtenFile(dir: string, name: string, mib: number): string {
  const path = join(dir, name);
  const fd = fs.openSync(path, 'w');
  const chunk = Buffer.alloc(MiB);
  for (let i = 0; i < mib; i++) {
    chunk.fill(i);
    fs.writeSync(fd, chunk, 0, MiB, i * MiB);
  }
  fs.fdatasyncSync(fd);
  fs.closeSync(fd);
  return path;
}

describe('PageCacheAdvice', () => {
  it('drops the clean cached pages of a range of a file, and only those, leaving its bytes as they were', () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const path = writtenFile(dir, '00000000000000000000', 8);
    expect(residentBytes(path)).toBe(8 * MiB);
    const advice = PageCacheAdvice.open(dir);
    expect(advice).toBeDefined();
    expect(advice!.dontNeed('00000000000000000000', 2 * MiB, 4 * MiB)).toBe(0);
    expect(residentBytes(path)).toBe(4 * MiB);
    const bytes = fs.readFileSync(path);
    for (let i = 0; i < 8; i++) expect(bytes[i * MiB + 12345], `MiB ${i}`).toBe(i);
  });

  it('answers an error number for a file that is not there, and for names leaving the folder', () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const advice = PageCacheAdvice.open(dir)!;
    expect(advice.dontNeed('00000000000000000001', 0, MiB)).toBe(44); // WASI's ENOENT
    expect(advice.dontNeed('../etc/passwd', 0, MiB)).not.toBe(0);
  });

  it('is undefined for a folder that does not exist (the caller keeps its pages)', () => {
    expect(PageCacheAdvice.open('/nonexistent/cometmq-folder')).toBeUndefined();
  });
});
