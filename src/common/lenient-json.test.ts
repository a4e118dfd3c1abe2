import { describe, expect, it } from 'vitest';
import { LenientJsonError, parseLenientJson, toJson } from './lenient-json.js';

describe('parseLenientJson', () => {
  it('reads standard JSON, from a string or a Buffer', () => {
    expect(parseLenientJson('{"a":[1,2,{"b":null}],"c":"x"}')).toEqual({ a: [1, 2, { b: null }], c: 'x' });
    expect(parseLenientJson(Buffer.from('{"é":"ü"}'))).toEqual({ é: 'ü' });
  });

  it('reads fastjson maps with unquoted numeric keys (TopicRouteData.brokerAddrs, offset tables)', () => {
    const text =
      '{"brokerDatas":[{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"},"brokerName":"b1","cluster":"C"}],' +
      '"offsetTable":{"T@G":{0:12,1:40,-1:3}}}';
    expect(parseLenientJson(text)).toEqual({
      brokerDatas: [
        { brokerAddrs: { 0: '10.0.0.1:10911', 1: '10.0.0.2:10911' }, brokerName: 'b1', cluster: 'C' },
      ],
      offsetTable: { 'T@G': { '0': 12, '1': 40, '-1': 3 } },
    });
  });

  it('reads fastjson maps keyed by objects (ConsumeStats.offsetTable) with the key as its JSON text', () => {
    const text =
      '{"offsetTable":{{"brokerName":"b1","queueId":0,"topic":"T"}:{"brokerOffset":5,"consumerOffset":3}}}';
    const parsed = parseLenientJson(text) as { offsetTable: Record<string, unknown> };
    const [key] = Object.keys(parsed.offsetTable);
    expect(JSON.parse(key!)).toEqual({ brokerName: 'b1', queueId: 0, topic: 'T' });
    expect(parsed.offsetTable[key!]).toEqual({ brokerOffset: 5, consumerOffset: 3 });
  });

  it('tolerates single quotes, identifier keys, trailing commas, whitespace, escapes', () => {
    expect(parseLenientJson(" { a : 'it\\'s', b: [1, 2, ], 'c': \"\\u00e9\\n\\x41\", } ")).toEqual({
      a: "it's",
      b: [1, 2],
      c: 'é\nA',
    });
    expect(parseLenientJson('{"n":NaN,"i":-Infinity,"u":undefined}')).toEqual({
      n: Number.NaN,
      i: Number.NEGATIVE_INFINITY,
      u: null,
    });
  });

  it('keeps big longs exactly when asked', () => {
    expect(parseLenientJson('{"v":9223372036854775807,"w":5}', { bigints: true })).toEqual({
      v: 9223372036854775807n,
      w: 5,
    });
    expect(parseLenientJson('{0:9223372036854775807}', { bigints: true })).toEqual({
      0: 9223372036854775807n,
    });
  });

  it('a __proto__ key is data, not a prototype', () => {
    const v = parseLenientJson("{__proto__:{'polluted':1},0:1}") as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(v).sort()).toEqual(['0', '__proto__']);
  });

  it('rejects garbage with a position', () => {
    for (const bad of [
      '',
      '{',
      '{"a":}',
      '{"a" 1}',
      '[1 2]',
      '"abc',
      '{a:1}}',
      '@',
      "{'a':'\\u12'}",
      'tru',
    ]) {
      expect(() => parseLenientJson(bad), bad).toThrow(LenientJsonError);
    }
  });
});

describe('toJson', () => {
  it('writes standard JSON with quoted keys', () => {
    const value = {
      brokerAddrs: new Map([[0, 'a:1']]),
      tags: new Set(['A', 'B']),
      n: 3,
      s: 'x',
      u: undefined,
      z: null,
    };
    const text = toJson(value);
    expect(text).toBe('{"brokerAddrs":{"0":"a:1"},"tags":["A","B"],"n":3,"s":"x","z":null}');
    expect(JSON.parse(text)).toBeTruthy();
  });

  it('writes bigint as a bare number and Buffer as base64, as fastjson', () => {
    expect(toJson({ offset: 9223372036854775807n, b: Buffer.from([1, 2]) })).toBe(
      '{"offset":9223372036854775807,"b":"AQI="}',
    );
  });

  it('writes a Map keyed by objects the way fastjson does, and reads it back', () => {
    const table = new Map([[{ brokerName: 'b1', queueId: 0, topic: 'T' }, { consumerOffset: 3 }]]);
    const text = toJson({ offsetTable: table });
    expect(text).toBe('{"offsetTable":{{"brokerName":"b1","queueId":0,"topic":"T"}:{"consumerOffset":3}}}');
    expect(parseLenientJson(text)).toEqual({
      offsetTable: { '{"brokerName":"b1","queueId":0,"topic":"T"}': { consumerOffset: 3 } },
    });
  });

  it('round-trips through parseLenientJson', () => {
    const value = { a: [1, 'two', { three: [true, false, null] }], 'quote"key': 'line\nbreak\u0001' };
    expect(parseLenientJson(toJson(value))).toEqual(value);
    expect(toJson(undefined)).toBe('null');
    expect(toJson([undefined, Number.NaN])).toBe('[null,null]');
  });
});
