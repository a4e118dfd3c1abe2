import { execFileSync } from 'node:child_process';

/**
 * Bytes of `path` in the page cache, by util-linux's fincore (mincore(2) over a mapping of the file):
 * Node cannot ask the kernel this itself.
 */
export function residentBytes(path: string): number {
  const out = execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], {
    encoding: 'utf8',
  });
  return Number(out.trim());
}
