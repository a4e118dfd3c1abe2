import { readFile } from 'node:fs/promises';
import { ConfigError } from './config.js';

/** One `key=value` of a properties source; `line` is 1-based (for the command line: the argument's position). */
export interface PropertyEntry {
  key: string;
  value: string;
  line: number;
  source: string;
}

/** `source:line` as errors and warnings print it. */
export function entryLocation(e: Pick<PropertyEntry, 'source' | 'line'>): string {
  return e.line > 0 ? `${e.source}:${e.line}` : e.source;
}

/**
 * Parses the subset of java.util.Properties that RocketMQ's broker.conf / namesrv.conf files use:
 * `key=value`, `key: value` and `key value`, `#` and `!` comment lines, blank lines, backslash line
 * continuation and the escapes \t \n \r \f \\ \uXXXX. Unlike Java, surrounding whitespace of the value is
 * trimmed (RocketMQ users routinely leave trailing blanks, which Java keeps and Integer.parseInt then
 * rejects silently), and a line that is only a key, with no separator, is an error rather than an empty value.
 */
export function parsePropertiesText(text: string, source: string): PropertyEntry[] {
  const lines = text.split(/\r\n|\r|\n/);
  const entries: PropertyEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    let logical = stripLeading(lines[i]!);
    if (logical === '' || logical[0] === '#' || logical[0] === '!') continue;
    // A line ending in an odd number of backslashes continues on the next one (leading blanks dropped).
    while (endsWithContinuation(logical) && i + 1 < lines.length) {
      logical = logical.slice(0, -1) + stripLeading(lines[++i]!);
    }
    if (endsWithContinuation(logical)) logical = logical.slice(0, -1);
    entries.push(parseLogicalLine(logical, source, startLine));
  }
  return entries;
}

export async function readPropertiesFile(path: string): Promise<PropertyEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read config file: ${(err as Error).message}`);
  }
  return parsePropertiesText(text, path);
}

/** `key=value` lines, as RocketMQ's MixAll.properties2String writes them (GET_*_CONFIG bodies, persisted configs). */
export function formatPropertiesText(props: Record<string, string>): string {
  let out = '';
  for (const [k, v] of Object.entries(props)) out += `${k}=${v}\n`;
  return out;
}

function stripLeading(s: string): string {
  return s.replace(/^[ \t\f]+/, '');
}

function endsWithContinuation(s: string): boolean {
  let n = 0;
  for (let j = s.length - 1; j >= 0 && s[j] === '\\'; j--) n++;
  return n % 2 === 1;
}

function parseLogicalLine(s: string, source: string, line: number): PropertyEntry {
  const where = `${source}:${line}`;
  let keyEnd = 0;
  while (keyEnd < s.length) {
    const c = s[keyEnd]!;
    if (c === '\\') {
      keyEnd += 2;
      continue;
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
    keyEnd++;
  }
  const key = unescapeJava(s.slice(0, Math.min(keyEnd, s.length)), where);
  if (key === '') throw new ConfigError(`${where}: missing key before "${s.trim()}"`);
  let rest = s.slice(keyEnd);
  const hasSeparator = rest.length > 0;
  rest = stripLeading(rest);
  if (rest[0] === '=' || rest[0] === ':') rest = stripLeading(rest.slice(1));
  if (!hasSeparator) throw new ConfigError(`${where}: key "${key}" has no value (expected ${key}=value)`);
  return { key, value: unescapeJava(rest, where).trim(), line, source };
}

function unescapeJava(s: string, where: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[++i];
    if (n === undefined) break;
    if (n === 't') out += '\t';
    else if (n === 'n') out += '\n';
    else if (n === 'r') out += '\r';
    else if (n === 'f') out += '\f';
    else if (n === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex))
        throw new ConfigError(`${where}: malformed \\uXXXX escape "\\u${hex}"`);
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
    } else out += n;
  }
  return out;
}
