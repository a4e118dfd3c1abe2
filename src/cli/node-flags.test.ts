import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BROKER_NODE_FLAGS, missingBrokerNodeFlags } from './node-flags.js';

const repoFile = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('BROKER_NODE_FLAGS', () => {
  it('are what the cometmq executable starts node with', () => {
    const shebang = readFileSync(new URL('./main.ts', import.meta.url), 'utf8').split('\n')[0]!;
    expect(shebang).toBe(`#!/usr/bin/env -S node ${BROKER_NODE_FLAGS.join(' ')}`);
  });

  it('are what npm start starts node with', () => {
    const pkg = JSON.parse(repoFile('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(`node ${BROKER_NODE_FLAGS.join(' ')} dist/src/cli/main.js dev`);
  });

  it('go before the script in the broker that bench compare starts', () => {
    const src = repoFile('bench/compare-processes.ts');
    expect(src).toMatch(/\.\.\.BROKER_NODE_FLAGS,\s*(\/\/[^\n]*\n\s*)?o\.cometmqMain,\s*'broker'/);
  });

  it('go before the script in the processes bench ha starts', () => {
    const src = repoFile('bench/ha-bench.ts');
    expect(src).toContain('spawn(process.execPath, [...BROKER_NODE_FLAGS, main, ...args]');
  });

  it('are reported missing by name, whatever value was given', () => {
    expect(missingBrokerNodeFlags([])).toEqual([...BROKER_NODE_FLAGS]);
    expect(missingBrokerNodeFlags(['--initial-old-space-size=512'])).toEqual([]);
    expect(missingBrokerNodeFlags(['--initial-old-space-size'])).toEqual([]);
    expect(missingBrokerNodeFlags(['--initial-old-space-size-x=1', '--max-old-space-size=128'])).toEqual([
      ...BROKER_NODE_FLAGS,
    ]);
  });
});
