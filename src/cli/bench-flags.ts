/**
 * Flag parsing shared by the `cometmq bench ...` subcommands: commander hands every value over as a
 * string, and a benchmark must refuse a bad one by name before it starts load rather than run with NaN.
 */
import { ConfigError } from '../common/config.js';

/** A whole number >= min; decimals, signs and units are refused, as the documented flags are plain counts. */
export function intFlag(name: string, v: string, min: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new ConfigError(`bad value "${v}" for ${name}: expected an integer >= ${min}`);
  return Number(v);
}

/** intFlag for a flag without a default: undefined when it was not given. */
export function optionalIntFlag(name: string, v: string | undefined, min: number): number | undefined {
  return v === undefined ? undefined : intFlag(name, v, min);
}

/** -n, else $NAMESRV_ADDR, as RocketMQ's tools take the NameServer address. */
export function namesrvFlag(v: string | undefined): string {
  const addr = v ?? process.env.NAMESRV_ADDR;
  if (!addr) throw new ConfigError('no NameServer: give -n host:port or set NAMESRV_ADDR');
  return addr;
}

/** The one JSON line a benchmark ends with (docs/benchmarks.md); scripts read the last stdout line. */
export function printJsonLine(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * printJsonLine, then exit: the network benchmarks' clients (sockets, SDK consumers, timers) may keep
 * the event loop alive after the result is known, and the run is over.
 */
export function exitWithJsonLine(result: unknown): never {
  printJsonLine(result);
  process.exit(0);
}
