/**
 * The properties string of a message: `name \u0001 value \u0002 ...` (protocol.md s.5,
 * MessageDecoder.messageProperties2String / string2messageProperties).
 */
export const NAME_VALUE_SEPARATOR = '\u0001';
export const PROPERTY_SEPARATOR = '\u0002';

/** Entries whose value is undefined or null are skipped, as Java skips null values. */
export function encodeProperties(properties: Readonly<Record<string, string | undefined | null>>): string {
  let out = '';
  for (const name in properties) {
    const value = properties[name];
    if (value === undefined || value === null) continue;
    if (out.length > 0) out += PROPERTY_SEPARATOR;
    out += name + NAME_VALUE_SEPARATOR + value;
  }
  return out;
}

/**
 * As Java's string2messageProperties: a pair shorter than 3 chars, or one with an empty name or an
 * empty value, is dropped.
 */
export function decodeProperties(s: string | undefined | null): Record<string, string> {
  const map: Record<string, string> = {};
  if (!s) return map;
  const len = s.length;
  let index = 0;
  while (index < len) {
    let next = s.indexOf(PROPERTY_SEPARATOR, index);
    if (next < 0) next = len;
    if (next - index >= 3) {
      const kv = s.indexOf(NAME_VALUE_SEPARATOR, index);
      if (kv > index && kv < next - 1) map[s.substring(index, kv)] = s.substring(kv + 1, next);
    }
    index = next + 1;
  }
  return map;
}

/** "NAME\u0001" per property name: built once, not per lookup. */
const needles = new Map<string, string>();

/**
 * One property's value, without decoding the whole string (the store uses it on the append and
 * recovery paths, where a full decode per message would be waste).
 */
export function getPropertyFromString(s: string | undefined, name: string): string | undefined {
  if (!s) return undefined;
  let needle = needles.get(name);
  if (needle === undefined) {
    needle = name + NAME_VALUE_SEPARATOR;
    if (needles.size < 256) needles.set(name, needle);
  }
  let from = 0;
  for (;;) {
    const at = s.indexOf(needle, from);
    if (at < 0) return undefined;
    if (at === 0 || s.charCodeAt(at - 1) === 2) {
      const start = at + needle.length;
      let end = s.indexOf(PROPERTY_SEPARATOR, start);
      if (end < 0) end = s.length;
      return end > start ? s.substring(start, end) : undefined;
    }
    from = at + 1;
  }
}

/**
 * Several properties of one encoded string in one pass over it, where getPropertyFromString would
 * search the whole string once per name. After pick(s), values[i] is getPropertyFromString(s, names[i]):
 * the first entry of that name, an empty value read as absent. One picker per use site, reused.
 */
export class PropertyPicker {
  readonly values: (string | undefined)[];

  constructor(private readonly names: readonly string[]) {
    if (names.length > 30) throw new Error('PropertyPicker: at most 30 names');
    this.values = names.map(() => undefined);
  }

  pick(s: string): (string | undefined)[] {
    const values = this.values;
    values.fill(undefined);
    let found = 0;
    const n = s.length;
    let entry = 0;
    let nameEnd = -1;
    for (let i = 0; i <= n; i++) {
      const c = i < n ? s.charCodeAt(i) : 2;
      if (c === 1) {
        if (nameEnd < 0) nameEnd = i;
      } else if (c === 2) {
        if (nameEnd >= 0) found = this.entry(s, entry, nameEnd, i, found);
        entry = i + 1;
        nameEnd = -1;
      }
    }
    return values;
  }

  private entry(s: string, at: number, nameEnd: number, end: number, found: number): number {
    const names = this.names;
    const len = nameEnd - at;
    for (let k = 0; k < names.length; k++) {
      const name = names[k]!;
      if (name.length !== len || (found & (1 << k)) !== 0 || !s.startsWith(name, at)) continue;
      this.values[k] = end > nameEnd + 1 ? s.substring(nameEnd + 1, end) : undefined;
      return found | (1 << k);
    }
    return found;
  }
}

/** Sets (or replaces) one property in an encoded string. */
export function putPropertyToString(s: string, name: string, value: string): string {
  const props = decodeProperties(s);
  props[name] = value;
  return encodeProperties(props);
}
