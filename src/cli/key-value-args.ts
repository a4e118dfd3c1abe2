import type { PropertyEntry } from '../common/properties-file.js';

const KEY_VALUE = /^--([A-Za-z][A-Za-z0-9_.]*)=(.*)$/s;

/**
 * Splits `--key=value` arguments (any RocketMQ config key, as RocketMQ's startup classes accept them)
 * out of argv into PropertyEntry[] with source "command line" and the argument's 1-based position as
 * line. Everything else, in order, is `rest`; so are `--name=value` arguments whose name is in `keep`
 * (the command's own long options, e.g. `--configFile=x`).
 */
export function extractKeyValueArgs(
  argv: string[],
  keep: readonly string[] = [],
): { entries: PropertyEntry[]; rest: string[] } {
  const entries: PropertyEntry[] = [];
  const rest: string[] = [];
  argv.forEach((arg, i) => {
    const m = KEY_VALUE.exec(arg);
    if (m && !keep.includes(m[1]!))
      entries.push({ key: m[1]!, value: m[2]!.trim(), line: i + 1, source: 'command line' });
    else rest.push(arg);
  });
  return { entries, rest };
}
