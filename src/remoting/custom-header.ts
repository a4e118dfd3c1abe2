/**
 * Typed reads of extFields (RocketMQ's "custom header"). RemotingCommand.decodeCommandCustomHeader
 * throws RemotingCommandException("the custom field <name> is null") for a missing @CFNotNull field
 * and parses with Integer.parseInt / Long.parseLong / Boolean.parseBoolean; these do the same per
 * field. A thrown RemotingCommandError becomes a SYSTEM_ERROR response with its message as remark,
 * as a header decoding failure does in RocketMQ.
 */

export class RemotingCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemotingCommandError';
  }
}

export type ExtFields = Readonly<Record<string, string | undefined>>;

const INT_RE = /^[+-]?\d{1,10}$/;
const LONG_RE = /^[+-]?\d{1,19}$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function missing(name: string): never {
  throw new RemotingCommandError(`the custom field <${name}> is null`);
}

function present(ext: ExtFields, name: string): string | undefined {
  const v = Object.hasOwn(ext, name) ? ext[name] : undefined;
  return v === null ? undefined : v;
}

export function requireString(ext: ExtFields, name: string): string {
  return present(ext, name) ?? missing(name);
}

export function optionalString(ext: ExtFields, name: string): string | undefined {
  return present(ext, name);
}

/** Integer.parseInt: optional sign, decimal digits, within int32. */
export function parseIntField(name: string, s: string): number {
  const n = Number(s);
  if (!INT_RE.test(s) || n < -2147483648 || n > 2147483647) {
    throw new RemotingCommandError(`the custom field <${name}> is not an int: ${JSON.stringify(s)}`);
  }
  return n;
}

/**
 * Long.parseLong: optional sign, decimal digits, within int64. Returned as a JS number: offsets and
 * timestamps fit in 2^53; only sentinels like Long.MAX_VALUE round, which keeps them huge.
 */
export function parseLongField(name: string, s: string): number {
  if (LONG_RE.test(s)) {
    if (s.length < 18) return Number(s);
    const b = BigInt(s);
    if (b >= INT64_MIN && b <= INT64_MAX) return Number(b);
  }
  throw new RemotingCommandError(`the custom field <${name}> is not a long: ${JSON.stringify(s)}`);
}

export function requireInt(ext: ExtFields, name: string): number {
  return parseIntField(name, present(ext, name) ?? missing(name));
}

export function optionalInt(ext: ExtFields, name: string): number | undefined;
export function optionalInt(ext: ExtFields, name: string, dflt: number): number;
export function optionalInt(ext: ExtFields, name: string, dflt?: number): number | undefined {
  const s = present(ext, name);
  return s === undefined ? dflt : parseIntField(name, s);
}

export function requireLong(ext: ExtFields, name: string): number {
  return parseLongField(name, present(ext, name) ?? missing(name));
}

export function optionalLong(ext: ExtFields, name: string): number | undefined;
export function optionalLong(ext: ExtFields, name: string, dflt: number): number;
export function optionalLong(ext: ExtFields, name: string, dflt?: number): number | undefined {
  const s = present(ext, name);
  return s === undefined ? dflt : parseLongField(name, s);
}

/** Boolean.parseBoolean: "true" in any case is true, anything else false (never an error). */
export function requireBool(ext: ExtFields, name: string): boolean {
  return (present(ext, name) ?? missing(name)).toLowerCase() === 'true';
}

export function optionalBool(ext: ExtFields, name: string): boolean | undefined;
export function optionalBool(ext: ExtFields, name: string, dflt: boolean): boolean;
export function optionalBool(ext: ExtFields, name: string, dflt?: boolean): boolean | undefined {
  const s = present(ext, name);
  return s === undefined ? dflt : s.toLowerCase() === 'true';
}
