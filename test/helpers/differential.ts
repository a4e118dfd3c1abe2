/**
 * Differential wire testing: one table of requests sent with our RemotingClient to the reference
 * Apache RocketMQ 4.9.8 and to CometMQ, answers compared field by field (code, remark, language,
 * serialize type, extFields keys and normalised values, decoded body) against an explicit allow-list.
 *
 * Each case is sent as written ("good"), in the ROCKETMQ (binary) header encoding too, and in variants
 * generated from it: every header field left out ("missing f") and every numeric or boolean field given
 * a value that does not parse ("malformed f"); cases with a body also without one and with a broken one.
 * Variants run before the good request, so a variant the servers accept changes both alike.
 */
import { parseLenientJson } from '../../src/common/lenient-json.js';
import { decodeMessages } from '../../src/common/message-decoder.js';
import type { RemotingClient } from '../../src/remoting/remoting-client.js';
import { type ExtFieldValue, RemotingCommand, SerializeType } from '../../src/remoting/remoting-command.js';

export type BodyMode =
  /** JSON compared as values (times, addresses, ids normalised; arrays as sets) */
  | 'value'
  /** JSON compared as shapes: keys and value types only */
  | 'shape'
  /** stored messages: topic, queue, offsets, flags, body and properties of each */
  | 'messages'
  /** `key=value` lines: the keys */
  | 'keys'
  /** not compared */
  | 'ignore';

export interface WireCase {
  label: string;
  code: number;
  ext?: Record<string, ExtFieldValue>;
  body?: Buffer | string;
  /** header fields that get missing/malformed variants (default: every field of ext) */
  vary?: string[];
  /** whether the body gets "no body" and "broken body" variants (default: when there is a JSON body) */
  varyBody?: boolean;
  /**
   * The header field naming the topic: each variant then gets a topic of its own (`<topic>_V<n>`), so a
   * variant one server accepts and the other refuses (a stored message) cannot shift later offsets.
   */
  isolateVariantsBy?: string;
  /** how the response body is compared (default 'value') */
  bodyMode?: BodyMode;
  /** extFields of the answer whose values are not compared (only that both have them) */
  volatileExt?: string[];
  /**
   * Keys taken out of the answer body before comparing ('keys' mode: listed keys; JSON: top-level keys),
   * for documented extras or omissions; say why beside the case.
   */
  dropKeys?: string[];
  /** Applied to the decoded body of both answers before comparing (say why beside the case). */
  bodyFilter?: (body: unknown) => unknown;
  /** ms to wait for an answer (default 3000); a server that never answers gives code "none" */
  timeoutMs?: number;
}

export interface SentCase extends WireCase {
  /** the label of the case it was derived from */
  base: string;
  serializeType: SerializeType;
}

export interface Answer {
  code: number | 'none';
  remark: string | null;
  language: string;
  serializeType: number;
  extKeys: string[];
  ext: Record<string, string>;
  body: unknown;
}

const isNumeric = (v: string): boolean => /^-?\d+$/.test(v);
const isBoolean = (v: string): boolean => v === 'true' || v === 'false';

/** The case, its ROCKETMQ-encoded twin and its missing/malformed variants (variants first). */
export function expand(cases: WireCase[]): SentCase[] {
  const out: SentCase[] = [];
  for (const c of cases) {
    const ext = c.ext ?? {};
    const base = { ...c, base: c.label, serializeType: SerializeType.JSON as SerializeType };
    let n = 0;
    const isolated = (e: Record<string, ExtFieldValue>): Record<string, ExtFieldValue> => {
      n++;
      const k = c.isolateVariantsBy;
      return k === undefined || e[k] === undefined ? e : { ...e, [k]: `${String(e[k])}_V${n}` };
    };
    for (const f of c.vary ?? Object.keys(ext)) {
      const rest = { ...ext };
      delete rest[f];
      out.push({ ...base, label: `${c.label} / missing ${f}`, ext: isolated(rest) });
      const v = ext[f];
      const s = v === null || v === undefined ? '' : String(v);
      const bad = isNumeric(s) ? 'x1' : isBoolean(s) ? 'yes' : undefined;
      if (bad !== undefined) {
        out.push({ ...base, label: `${c.label} / malformed ${f}`, ext: isolated({ ...ext, [f]: bad }) });
      }
    }
    const jsonBody = c.body !== undefined && /^\s*[{[]/.test(c.body.toString());
    if (c.varyBody ?? jsonBody) {
      out.push({ ...base, label: `${c.label} / no body`, body: undefined });
      out.push({ ...base, label: `${c.label} / broken body`, body: '{"not json' });
    }
    out.push({ ...base, label: `${c.label} / ROCKETMQ header`, serializeType: SerializeType.ROCKETMQ });
    out.push(base);
  }
  return out;
}

export async function ask(client: RemotingClient, addr: string, c: SentCase): Promise<Answer> {
  const body = c.body === undefined ? null : Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body);
  const req = RemotingCommand.request(c.code, c.ext, body);
  req.serializeType = c.serializeType;
  let r: RemotingCommand;
  try {
    r = await client.invokeSync(addr, req, c.timeoutMs ?? 3000);
  } catch (err) {
    // the reference NameServer does not answer codes it has no processor for
    return {
      code: 'none',
      remark: (err as Error).name,
      language: '',
      serializeType: -1,
      extKeys: [],
      ext: {},
      body: null,
    };
  }
  return {
    code: r.code,
    remark: r.remark,
    language: r.language,
    serializeType: r.serializeType,
    extKeys: Object.keys(r.extFields).sort(),
    ext: r.extFields,
    body: (c.bodyFilter ?? ((b: unknown) => b))(
      dropKeys(decodeBody(r.body, c.bodyMode ?? 'value'), c.dropKeys ?? []),
    ),
  };
}

function dropKeys(body: unknown, keys: string[]): unknown {
  if (keys.length === 0) return body;
  if (Array.isArray(body)) return body.filter((k) => !keys.includes(k as string));
  if (body !== null && typeof body === 'object') {
    return Object.fromEntries(
      Object.entries(body as Record<string, unknown>).filter(([k]) => !keys.includes(k)),
    );
  }
  return body;
}

function decodeBody(body: Buffer | null, mode: BodyMode): unknown {
  if (body === null || body.length === 0) return null;
  if (mode === 'ignore') return '<ignored>';
  if (mode === 'keys') {
    return body
      .toString()
      .split('\n')
      .map((l) => /^([^=\s]+)=/.exec(l)?.[1])
      .filter((k): k is string => k !== undefined)
      .sort();
  }
  if (mode === 'messages') {
    try {
      return decodeMessages(body).map((m) => ({
        topic: m.topic,
        queueId: m.queueId,
        queueOffset: m.queueOffset,
        flag: m.flag,
        sysFlag: m.sysFlag,
        reconsumeTimes: m.reconsumeTimes,
        body: m.body.toString('base64'),
        properties: m.properties,
      }));
    } catch (err) {
      return `<undecodable messages: ${(err as Error).message}>`;
    }
  }
  let v: unknown;
  try {
    v = parseLenientJson(body);
  } catch {
    return `<${body.length} bytes, not JSON>`;
  }
  return mode === 'shape' ? shapeOf(v) : v;
}

/** Keys and value types of a JSON value; arrays become the sorted set of their element shapes. */
export function shapeOf(v: unknown): unknown {
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    const shapes = [...new Set(v.map((e) => JSON.stringify(shapeOf(e))))].sort();
    return shapes.map((s) => JSON.parse(s) as unknown);
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, shapeOf(o[k])]),
    );
  }
  return typeof v;
}

/** Replaces what depends on time, ports and store layout; sorts keys and arrays. */
export function normaliseValue(v: unknown, addrs: Map<string, string>): unknown {
  if (typeof v === 'string') return normaliseText(v, addrs);
  if (typeof v === 'number') return v >= 1e12 ? '<time>' : v;
  if (Array.isArray(v)) {
    return v
      .map((e) => normaliseValue(e, addrs))
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .map((k) => [normaliseText(k, addrs), normaliseValue(o[k], addrs)] as const)
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
  }
  return v;
}

/** `addrs` maps each server's own addresses to a name both sides share ("<broker>", "<namesrv>"). */
export function normaliseText(s: string, addrs: Map<string, string>): string {
  let t = s;
  for (const [addr, name] of addrs) t = t.split(addr).join(name);
  return t
    .replace(/\b\d{13}\b/g, '<time>')
    .replace(/\b[0-9A-F]{32}\b/g, '<id>')
    .replace(/127\.0\.0\.1:\d{4,5}\b/g, '127.0.0.1:<port>');
}

/** Field-by-field differences "field: cometmq=... reference=..." of two answers (already normalised). */
export function differences(ours: Answer, theirs: Answer, volatileExt: string[] = []): string[] {
  const out: string[] = [];
  const cmp = (field: string, a: unknown, b: unknown): void => {
    const x = JSON.stringify(a);
    const y = JSON.stringify(b);
    if (x !== y) out.push(`${field}: cometmq=${x} reference=${y}`);
  };
  cmp('code', ours.code, theirs.code);
  if (ours.code === 'none' || theirs.code === 'none') return out;
  cmp('remark', ours.remark, theirs.remark);
  cmp('language', ours.language, theirs.language);
  cmp('serializeType', ours.serializeType, theirs.serializeType);
  cmp('extKeys', ours.extKeys, theirs.extKeys);
  for (const k of ours.extKeys) {
    if (!theirs.extKeys.includes(k) || volatileExt.includes(k)) continue;
    cmp(`ext.${k}`, ours.ext[k], theirs.ext[k]);
  }
  cmp('body', ours.body, theirs.body);
  return out;
}

export function normaliseAnswer(a: Answer, addrs: Map<string, string>): Answer {
  return {
    ...a,
    remark: a.remark === null ? null : normaliseText(a.remark, addrs),
    ext: Object.fromEntries(Object.entries(a.ext).map(([k, v]) => [k, normaliseText(v, addrs)])),
    body: normaliseValue(a.body, addrs),
  };
}

/** An expected difference: cases whose label matches, differing in fields that match. */
export interface AllowedDifference {
  label: RegExp;
  field: RegExp;
  why: string;
}

export interface Verdict {
  label: string;
  base: string;
  /** differences no allow-list entry covers */
  unexpected: string[];
  /** differences an entry covered, with the entry's reason */
  allowed: string[];
}

export function judge(
  sent: SentCase[],
  ours: Answer[],
  theirs: Answer[],
  allowList: AllowedDifference[],
  used: Set<AllowedDifference>,
): Verdict[] {
  return sent.map((c, i) => {
    const diffs = differences(ours[i]!, theirs[i]!, c.volatileExt);
    const unexpected: string[] = [];
    const allowed: string[] = [];
    for (const d of diffs) {
      const a = allowList.find((e) => e.label.test(c.label) && e.field.test(d));
      if (a) {
        used.add(a);
        allowed.push(`${d} [${a.why}]`);
      } else {
        unexpected.push(d);
      }
    }
    return { label: c.label, base: c.base, unexpected, allowed };
  });
}

/** Every verdict with differences, one block per case (for COMETMQ_DIFF_REPORT=file). */
export function formatVerdicts(verdicts: Verdict[]): string {
  return verdicts
    .filter((v) => v.unexpected.length > 0 || v.allowed.length > 0)
    .map((v) =>
      [
        v.label,
        ...v.unexpected.map((d) => `  UNEXPECTED ${d}`),
        ...v.allowed.map((d) => `  allowed    ${d}`),
      ].join('\n'),
    )
    .join('\n');
}
