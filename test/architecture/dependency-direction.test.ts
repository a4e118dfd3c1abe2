import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// design.md s.2: arrows point from importer to imported; nothing else is allowed.
const allowed: Record<string, readonly string[]> = {
  common: [],
  remoting: ['common'],
  store: ['common'],
  namesrv: ['remoting', 'common'],
  broker: ['store', 'remoting', 'common'],
  client: ['remoting', 'common'],
  admin: ['client', 'remoting', 'common'],
  dashboard: ['admin', 'client', 'remoting', 'common'],
  cli: ['*'],
};

const srcRoot = resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function moduleOf(file: string): string | undefined {
  const rel = relative(srcRoot, file);
  return rel.includes(sep) ? rel.split(sep)[0] : undefined;
}

describe('dependency direction (design.md s.2)', () => {
  it('every import in src/ follows the allowed arrows', () => {
    const violations: string[] = [];
    const importRe =
      /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
    for (const file of sourceFiles(srcRoot)) {
      const from = moduleOf(file);
      if (!from) continue; // src/index.ts is the public surface and may re-export anything below cli
      const rules = allowed[from];
      if (!rules) {
        violations.push(`${relative(srcRoot, file)}: module '${from}' is not in design.md`);
        continue;
      }
      if (rules.includes('*')) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(importRe)) {
        const spec = m[1] ?? m[2];
        if (!spec) continue;
        const target = moduleOf(resolve(dirname(file), spec));
        if (!target || target === from) continue;
        if (!rules.includes(target))
          violations.push(`${relative(srcRoot, file)} imports ${target} (${spec})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('the public surface does not pull in server roles', () => {
    const text = readFileSync(join(srcRoot, 'index.ts'), 'utf8');
    expect(text).not.toMatch(/from '\.\/(broker|namesrv|store|cli)\//);
  });
});
