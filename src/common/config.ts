import { entryLocation, type PropertyEntry } from './properties-file.js';

/** A config file or `--key=value` that cannot be used; the message names the source, line, key and value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface ApplyConfigOptions<T> {
  /** Keys whose string value must be one of these (RocketMQ enums such as brokerRole, flushDiskType). */
  enums?: Partial<Record<keyof T, readonly string[]>>;
  /** Number keys that accept a fraction; all other number keys must be integers. */
  floats?: (keyof T)[];
  /** Called for a key that `defaults` does not have; callers log a warning (RocketMQ ignores such keys silently). */
  onUnknown?: (e: PropertyEntry) => void;
}

const INTEGER = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Applies entries, in order (a later entry wins), onto a copy of `defaults`. The type of each key is the
 * type of its default value, as RocketMQ's MixAll.properties2Object uses the setter's parameter type; but
 * where RocketMQ silently skips a value it cannot parse, this throws, so a typo never goes unnoticed.
 */
export function applyConfig<T extends object>(
  defaults: T,
  entries: readonly PropertyEntry[],
  opts: ApplyConfigOptions<T> = {},
): T {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  const floats = new Set<string>((opts.floats ?? []).map(String));
  const enums = (opts.enums ?? {}) as Record<string, readonly string[] | undefined>;
  for (const e of entries) {
    if (!Object.hasOwn(defaults, e.key)) {
      opts.onUnknown?.(e);
      continue;
    }
    out[e.key] = convert(e, typeof out[e.key], floats.has(e.key), enums[e.key]);
  }
  return out as T;
}

function convert(
  e: PropertyEntry,
  type: string,
  float: boolean,
  allowed: readonly string[] | undefined,
): unknown {
  const bad = (expected: string): ConfigError =>
    new ConfigError(`${entryLocation(e)}: bad value "${e.value}" for ${e.key}: expected ${expected}`);
  switch (type) {
    case 'number': {
      if (float) {
        if (!FLOAT.test(e.value)) throw bad('a number');
        return Number(e.value);
      }
      if (!INTEGER.test(e.value)) throw bad('an integer');
      const n = Number(e.value);
      if (!Number.isSafeInteger(n)) throw bad('an integer within +-2^53');
      return n;
    }
    case 'boolean': {
      const v = e.value.toLowerCase();
      if (v === 'true') return true;
      if (v === 'false') return false;
      throw bad('true or false');
    }
    case 'bigint':
      if (!INTEGER.test(e.value)) throw bad('an integer');
      return BigInt(e.value);
    default:
      if (allowed && !allowed.includes(e.value)) throw bad(`one of ${allowed.join(', ')}`);
      return e.value;
  }
}

/**
 * A config object as RocketMQ's MixAll.object2Properties shows it (GET_BROKER_CONFIG / GET_NAMESRV_CONFIG
 * bodies, persisted configs): every field with a value, as a string; null and undefined fields are left out.
 */
export function configToProperties(cfg: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg)) {
    if (v === null || v === undefined || typeof v === 'function' || typeof v === 'object') continue;
    out[k] = String(v);
  }
  return out;
}
