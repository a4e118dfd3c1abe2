import { describe, expect, it } from 'vitest';
import { readSendHeaderCanonical } from './send-message-header-canonical.js';
import { readSendHeaderKeyed } from './send-message-header-json.js';
import { decodeSendMessageRequestHeaderV2 } from './send-message-request-header.js';

/** A small deterministic generator, so a failure names a seed that reproduces it. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PLAIN = 'abcXYZ09_-%|. :/';
const ODD = ['\u0001', '\u0002', '"', '\\', '\n', '/', 'é', '\u007f'];

function randomString(r: () => number, odd: boolean): string {
  let s = '';
  const n = Math.floor(r() * 24);
  for (let i = 0; i < n; i++) {
    s += odd && r() < 0.15 ? ODD[Math.floor(r() * ODD.length)] : PLAIN[Math.floor(r() * PLAIN.length)];
  }
  return s;
}

function randomInt(r: () => number): string {
  const pick = r();
  if (pick < 0.1) return String(-Math.floor(r() * 1000));
  if (pick < 0.2) return String(Math.floor(r() * 2 ** 52));
  if (pick < 0.25) return `00${Math.floor(r() * 9)}`;
  return String(Math.floor(r() * 100));
}

/** A header in the layout fastjson writes, some optional fields left out, the opaque padded sometimes. */
function randomHeader(r: () => number): string {
  const ext: Record<string, string> = {};
  if (r() < 0.9) ext.a = r() < 0.5 ? 'group-a' : randomString(r, false);
  ext.b = r() < 0.5 ? 'TopicTest' : randomString(r, false);
  ext.c = 'TBW102';
  for (const k of ['d', 'e', 'f', 'g', 'h']) ext[k] = randomInt(r);
  if (r() < 0.9) ext.i = randomString(r, true);
  if (r() < 0.8) ext.j = randomInt(r);
  ext.k = r() < 0.5 ? 'false' : r() < 0.5 ? 'TRUE' : randomString(r, false);
  if (r() < 0.8) ext.l = randomInt(r);
  if (r() < 0.8) ext.m = r() < 0.5 ? 'false' : 'true';
  if (r() < 0.3) ext.n = 'broker-a';
  const opaque = r() < 0.5 ? String(Math.floor(r() * 2 ** 31)) : String(-Math.floor(r() * 2 ** 31));
  const pad = r() < 0.3 ? ' '.repeat(Math.floor(r() * 4)) : '';
  const language = r() < 0.8 ? 'JAVA' : 'NODE_JS';
  return `{"code":310,"extFields":${JSON.stringify(ext)},"flag":${Math.floor(r() * 3)},"language":"${language}","opaque":${opaque}${pad},"serializeTypeCurrentRPC":"JSON","version":${Math.floor(r() * 500)}}`;
}

/** What JSON.parse and the processor's decoding make of the same text, undefined if either refuses. */
function viaJsonParse(text: string): unknown {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const ext = o.extFields as Record<string, string>;
    for (const v of Object.values(ext)) if (typeof v !== 'string') return undefined;
    return {
      code: o.code,
      language: o.language,
      version: (o.version as number) | 0,
      opaque: (o.opaque as number) | 0,
      flag: (o.flag as number) | 0,
      remark: o.remark ?? null,
      header: decodeSendMessageRequestHeaderV2(ext),
    };
  } catch {
    return undefined;
  }
}

function canonical(text: string): unknown {
  const buf = Buffer.from(`xx${text}{"`, 'utf8');
  return readSendHeaderCanonical(buf, 2, buf.length - 2, 310);
}

describe('SEND_MESSAGE_V2 header read straight through in the fastjson layout', () => {
  it('takes every header of that layout and reads what JSON.parse and the keyed reader read', () => {
    const r = rng(20261126);
    let plain = 0;
    for (let n = 0; n < 3000; n++) {
      const text = randomHeader(r);
      const got = canonical(text);
      const buf = Buffer.from(text, 'utf8');
      const keyed = readSendHeaderKeyed(buf, 0, buf.length, 310);
      const expected = viaJsonParse(text);
      if (keyed !== undefined) {
        // the keyed reader takes only plain ASCII values and ints that fit: in the layout, so must this
        plain++;
        expect(got, text).toEqual(keyed);
        expect(got, text).toEqual(expected);
      } else if (got !== undefined) {
        expect(got, text).toEqual(expected);
      }
    }
    expect(plain).toBeGreaterThan(1000);
  });

  it('leaves other layouts to the keyed reader: reordered keys, whitespace, a remark, no extFields', () => {
    const ext = { a: 'g', b: 'T', c: 'TBW102', d: '4', e: '1', f: '0', g: '17', h: '0', i: 'A\u0001b' };
    const good = `{"code":310,"extFields":${JSON.stringify(ext)},"flag":0,"language":"JAVA","opaque":5,"serializeTypeCurrentRPC":"JSON","version":409}`;
    expect(canonical(good)).toBeDefined();
    for (const other of [
      good.replace('{"code":310,', '{"code":310, '),
      good.replace('"flag":', '"flag": '),
      good.replace(',"version":', ',"remark":"x","version":'),
      good.replace(/,"extFields":\{[^}]*\}/, ''),
      good.replace('"language":', '"languagf":'),
      good.replace('"serializeTypeCurrentRPC":"JSON"', '"serializeTypeCurrentRPC":"ROCKETMQ"'),
      good.replace('"code":310', '"code":320'),
      good.replace(/"version":(\d+)/, '"version":$1.5'),
      good.replace(/"flag":\d+/, '"flag":01'),
      good.replace('"c":"TBW102"', '"c" :"TBW102"'),
      good.replace('"c":"TBW102"', '"c":"TBW\\u0031"'),
    ]) {
      expect(canonical(other), other).toBeUndefined();
    }
  });

  it('never reads past the header nor throws, whatever a byte of it is changed to', () => {
    const r = rng(99);
    for (let n = 0; n < 400; n++) {
      const text = randomHeader(r);
      const bytes = Buffer.from(text, 'utf8');
      for (let cut = 0; cut < bytes.length; cut += 11) {
        // what follows the header in the buffer would complete it: it must not be looked at
        const buf = Buffer.concat([bytes.subarray(0, cut), Buffer.from('"}}}}')]);
        expect(readSendHeaderCanonical(buf, 0, cut, 310)).toBeUndefined();
      }
      const at = Math.floor(r() * bytes.length);
      const mutated = Buffer.from(bytes);
      mutated[at] = Math.floor(r() * 128);
      const got = readSendHeaderCanonical(mutated, 0, mutated.length, 310);
      if (got !== undefined) expect(got).toEqual(viaJsonParse(mutated.toString('latin1')));
    }
  });
});
