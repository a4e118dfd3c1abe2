/**
 * Every TypeScript block of docs/client.md is a region of a file in this folder (which tsc compiles and
 * examples.test.ts runs): a block preceded by `<!-- snippet: file.ts#region[,region] -->` must equal those
 * regions, apart from its leading import and `const namesrvAddr` lines.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const here = import.meta.dirname;
const doc = readFileSync(join(here, '../client.md'), 'utf8');

function region(file: string, name: string): string {
  const text = readFileSync(join(here, file), 'utf8');
  const m = new RegExp(`^([ \\t]*)// #region ${name}\\n([\\s\\S]*?)^[ \\t]*// #endregion ${name}$`, 'm').exec(
    text,
  );
  if (!m) throw new Error(`${file} has no region ${name}`);
  const indent = m[1]!.length;
  return m[2]!
    .split('\n')
    .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
    .join('\n')
    .trimEnd();
}

const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => ({ at: m.index, code: m[1]! }));
const markers = [...doc.matchAll(/<!-- snippet: ([\w.-]+)#([\w,-]+) -->\n```ts\n([\s\S]*?)```/g)];

describe('docs/client.md snippets', () => {
  it('every ts block is a marked snippet', () => {
    expect(blocks.length).toBeGreaterThan(0);
    expect(markers.length).toBe(blocks.length);
  });

  for (const m of markers) {
    const [, file, names, code] = m;
    it(`${file}#${names} matches the example file`, () => {
      const expected = names!
        .split(',')
        .map((n) => region(file!, n))
        .join('\n\n');
      const lines = code!.trimEnd().split('\n');
      while (
        lines.length > 0 &&
        (/^import /.test(lines[0]!) || /^const namesrvAddr /.test(lines[0]!) || lines[0] === '')
      )
        lines.shift();
      expect(lines.join('\n')).toBe(expected);
    });
  }
});
