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
  forEachEntry(s, (at, nameEnd, end) => {
    if (nameEnd > at && nameEnd < end - 1) map[s.substring(at, nameEnd)] = s.substring(nameEnd + 1, end);
  });
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
 * Calls `entry` for every name\u0001value entry of an encoded string, in order: name s[at, nameEnd),
 * value s[nameEnd + 1, end). Entries without a \u0001 are skipped. The separators are found with
 * indexOf: a charCodeAt loop over the string costs 3-5 ns a character on these machines, several
 * times more.
 */
export function forEachEntry(s: string, entry: (at: number, nameEnd: number, end: number) => void): void {
  const n = s.length;
  let at = 0;
  let nameEnd = -1;
  while (at < n) {
    let end = s.indexOf(PROPERTY_SEPARATOR, at);
    if (end < 0) end = n;
    // a \u0001 found past an entry without one is kept for the entries it may belong to
    if (nameEnd < at) nameEnd = s.indexOf(NAME_VALUE_SEPARATOR, at);
    if (nameEnd < 0) return;
    if (nameEnd < end) entry(at, nameEnd, end);
    at = end + 1;
  }
}

/** Sets (or replaces) one property in an encoded string. */
export function putPropertyToString(s: string, name: string, value: string): string {
  const props = decodeProperties(s);
  props[name] = value;
  return encodeProperties(props);
}
