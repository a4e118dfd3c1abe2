import { describe, expect, it } from 'vitest';
import { decodeJsonHeader, encodeJsonHeader } from './json-header.js';
import { RemotingCommand } from './remoting-command.js';

/** What fastjson-compatible encoding must produce: JSON.stringify's escaping, field for field. */
function reference(cmd: RemotingCommand): string {
  const ext = Object.keys(cmd.extFields).length > 0 ? `,"extFields":${JSON.stringify(cmd.extFields)}` : '';
  const remark = cmd.remark === null ? '' : `,"remark":${JSON.stringify(cmd.remark)}`;
  return `{"code":${cmd.code}${ext},"flag":${cmd.flag},"language":${JSON.stringify(cmd.language)},"opaque":${cmd.opaque}${remark},"serializeTypeCurrentRPC":"JSON","version":${cmd.version}}`;
}

const awkward = [
  '',
  'plain',
  'quote"inside',
  'back\\slash',
  'UNIQ_KEY\u0001ABC\u0002WAIT\u0001true',
  'tab\tnew\nline\r',
  '\u007f del and é accents and 中文',
  'emoji 😀 pair',
  'lone \ud800 high',
  'lone \udc00 low',
  '\u0000nul',
];

describe('JSON header encoding', () => {
  it('writes extFields exactly as JSON.stringify would, escapes included', () => {
    for (const k of awkward) {
      for (const v of awkward) {
        const cmd = RemotingCommand.request(10, { [`k${k}`]: v, other: 'x' });
        cmd.remark = v;
        const text = encodeJsonHeader(cmd);
        expect(text).toBe(reference(cmd));
        const back = decodeJsonHeader(Buffer.from(text, 'utf8'), 0, Buffer.byteLength(text, 'utf8'));
        expect(back.extFields).toEqual(JSON.parse(JSON.stringify(cmd.extFields)));
      }
    }
  });

  it('omits an empty extFields map and keeps a __proto__ key as data', () => {
    const empty = RemotingCommand.request(11, {});
    expect(encodeJsonHeader(empty)).not.toContain('extFields');
    const cmd = RemotingCommand.request(12, {});
    Object.defineProperty(cmd.extFields, '__proto__', { value: 'p', enumerable: true });
    expect(encodeJsonHeader(cmd)).toContain('"extFields":{"__proto__":"p"}');
  });
});
