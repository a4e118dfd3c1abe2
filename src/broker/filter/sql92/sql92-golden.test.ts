/**
 * Parity with the reference: every expression of sql92-golden.json was compiled and evaluated by
 * RocketMQ 4.9.8's own filter (rocketmq-4.9.8.jar, FilterFactory SQL92 + MessageEvaluationContext)
 * against each property map; this checks that compileSql92 refuses exactly the expressions Java
 * refuses and answers TRUE / FALSE / null / error exactly where Java does.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileSql92, Sql92Result, SqlFilterError } from './index.js';

interface GoldenCase {
  expr: string;
  results?: string;
  error?: string;
}

interface Golden {
  propMaps: Record<string, string>[];
  cases: GoldenCase[];
}

const golden = JSON.parse(readFileSync(new URL('./sql92-golden.json', import.meta.url), 'utf8')) as Golden;

const LETTER: Record<Sql92Result, string> = {
  [Sql92Result.FALSE]: 'F',
  [Sql92Result.TRUE]: 'T',
  [Sql92Result.NULL]: 'N',
  [Sql92Result.ERROR]: 'E',
};

function run(expr: string): string {
  try {
    const compiled = compileSql92(expr);
    return golden.propMaps.map((m) => LETTER[compiled.evaluateResult(m)]).join('');
  } catch (e) {
    if (e instanceof SqlFilterError) return 'error';
    throw e;
  }
}

describe('SQL92 filter against RocketMQ 4.9.8 golden results', () => {
  it('has a corpus worth the name', () => {
    expect(golden.cases.length).toBeGreaterThan(2000);
    expect(golden.cases.filter((c) => c.error !== undefined).length).toBeGreaterThan(300);
    const letters = golden.cases.map((c) => c.results ?? '').join('');
    for (const l of 'TFNE') expect(letters).toContain(l);
  });

  it('compiles and evaluates every case as Java does', () => {
    const mismatches: string[] = [];
    for (const c of golden.cases) {
      const want = c.error !== undefined ? 'error' : c.results!;
      const got = run(c.expr);
      if (got !== want)
        mismatches.push(`${JSON.stringify(c.expr)}: want ${want} ${c.error ?? ''}, got ${got}`);
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
  });

  it('evaluate() is true exactly where Java answers Boolean.TRUE', () => {
    const mismatches: string[] = [];
    for (const c of golden.cases) {
      if (c.results === undefined) continue;
      const compiled = compileSql92(c.expr);
      golden.propMaps.forEach((m, i) => {
        if (compiled.evaluate(m) !== (c.results![i] === 'T')) mismatches.push(`${c.expr} on map ${i}`);
      });
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
  });
});
