/**
 * SQL92 filter evaluation rate on one core: a compiled 3-term expression evaluated over a rotating set
 * of message property maps shaped like the broker's (decodeProperties of a real message: TAGS, KEYS,
 * UNIQ_KEY, WAIT plus the user properties, some missing, some not numbers). Prints one JSON line.
 *
 *   npm run build && node dist/bench/sql92-bench.js [durationMs] [expression]
 */
import { pathToFileURL } from 'node:url';
import { compileSql92 } from '../src/broker/filter/sql92/index.js';
import { decodeProperties, encodeProperties } from '../src/common/message-properties.js';

export const DEFAULT_SQL92_BENCH_EXPRESSION = "a > 5 AND b = 'abc' OR c BETWEEN 1 AND 10";

/** Property maps as the pull path sees them: decoded from the stored properties string. */
function propertyMaps(count: number): Record<string, string>[] {
  const bValues = ['abc', 'abd', 'xyz', 'abc'];
  const out: Record<string, string>[] = [];
  let seed = 12345;
  const next = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 16) % n;
  };
  for (let i = 0; i < count; i++) {
    const props: Record<string, string | undefined> = {
      TAGS: `Tag${next(4)}`,
      KEYS: `order-${i}`,
      UNIQ_KEY: `7F0000010F2A18B4AAC26B4E${(0x100000 + i).toString(16).toUpperCase()}`,
      WAIT: 'true',
      a: next(10) === 0 ? undefined : String(next(12)),
      b: next(8) === 0 ? undefined : bValues[next(bValues.length)],
      c: next(10) === 0 ? 'n/a' : String(next(15) - 2),
    };
    out.push(decodeProperties(encodeProperties(props)));
  }
  return out;
}

export function runSql92Bench(
  durationMs = 2000,
  expression = DEFAULT_SQL92_BENCH_EXPRESSION,
): Record<string, number | string> {
  const compiled = compileSql92(expression);
  const maps = propertyMaps(4096);
  const mask = maps.length - 1;
  let matched = 0;
  // warm-up, so the closures are optimised before timing
  for (let i = 0; i < 200_000; i++) if (compiled.evaluate(maps[i & mask]!)) matched++;
  matched = 0;
  let evals = 0;
  const batch = 10_000;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const limit = BigInt(durationMs) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < limit) {
    for (let i = 0; i < batch; i++) if (compiled.evaluate(maps[(evals + i) & mask]!)) matched++;
    evals += batch;
    elapsed = process.hrtime.bigint() - start;
  }
  const seconds = Number(elapsed) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    bench: 'sql92-filter',
    expression,
    evalsPerSec: Math.round(evals / seconds),
    nsPerEval: Math.round((seconds * 1e9) / evals),
    // on a busy machine wall time includes waiting for the core; CPU time does not
    evalsPerCpuSec: Math.round(evals / cpuSeconds),
    propertyMaps: maps.length,
    matchedRatio: Math.round((matched / evals) * 1000) / 1000,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const durationMs = Number(process.argv[2] ?? 2000);
  const expression = process.argv[3] ?? DEFAULT_SQL92_BENCH_EXPRESSION;
  console.log(JSON.stringify(runSql92Bench(Number.isFinite(durationMs) ? durationMs : 2000, expression)));
}
