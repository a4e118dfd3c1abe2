import { describe, expect, it } from 'vitest';
import { RemotingFrameError } from './errors.js';
import { decodeFrame, encodeCommand, encodeCommandHeader, FrameDecoder } from './remoting-codec.js';
import { RemotingCommand, SerializeType } from './remoting-command.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** protocol.md s.1's JSON example as a command. */
function exampleRequest(serializeType: SerializeType): RemotingCommand {
  return new RemotingCommand(105, 'JAVA', 395, 3, 0, null, { topic: 'T' }, null, serializeType);
}

describe('golden bytes', () => {
  it('JSON header: protocol.md s.1 example, built from the layout', () => {
    const header = Buffer.from(
      '{"code":105,"extFields":{"topic":"T"},"flag":0,"language":"JAVA","opaque":3,"serializeTypeCurrentRPC":"JSON","version":395}',
    );
    const expected = Buffer.concat([int32(4 + header.length), int32(header.length), header]);
    expect(encodeCommand(exampleRequest(SerializeType.JSON))).toEqual(expected);
  });

  it('ROCKETMQ header: built from the layout byte by byte', () => {
    const expected = Buffer.concat([
      int32(37), // 4 + 33 header bytes
      int32((1 << 24) | 33),
      hex('0069'), // code 105
      hex('00'), // JAVA
      hex('018b'), // version 395
      int32(3), // opaque
      int32(0), // flag
      int32(0), // remark null
      int32(12), // extFields: 2 + 5 + 4 + 1
      hex('0005'),
      Buffer.from('topic'),
      int32(1),
      Buffer.from('T'),
    ]);
    expect(encodeCommand(exampleRequest(SerializeType.ROCKETMQ))).toEqual(expected);
  });

  // Output of the reference's own RemotingCommand.encode() (rocketmq-4.9.8 jar, run once by hand):
  // the same command encodes to the same bytes, and the bytes decode back to it.
  const javaFrames: { name: string; bytes: string; cmd: RemotingCommand }[] = [
    {
      name: 'JSON response with remark and body',
      bytes:
        '000000a60000009f7b22636f6465223a31372c22666c6167223a312c226c616e6775616765223a224a415641222c226f7061717565223a332c2272656d61726b223a224e6f20746f70696320726f75746520696e666f20696e206e616d652073657276657220666f722074686520746f7069633a2054222c2273657269616c697a655479706543757272656e74525043223a224a534f4e222c2276657273696f6e223a3431307d010203',
      cmd: new RemotingCommand(
        17,
        'JAVA',
        410,
        3,
        1,
        'No topic route info in name server for the topic: T',
        {},
        Buffer.from([1, 2, 3]),
        0,
      ),
    },
    {
      name: 'JSON oneway, language GO, non-ASCII value',
      bytes:
        '00000086000000827b22636f6465223a34302c226578744669656c6473223a7b22636f6e73756d657247726f7570223a2247c3a9227d2c22666c6167223a322c226c616e6775616765223a22474f222c226f7061717565223a372c2273657269616c697a655479706543757272656e74525043223a224a534f4e222c2276657273696f6e223a3431307d',
      cmd: new RemotingCommand(40, 'GO', 410, 7, 2, null, { consumerGroup: 'Gé' }, null, 0),
    },
    {
      name: 'ROCKETMQ response with remark and body',
      bytes:
        '0000004f01000048001100019a0000000300000001000000334e6f20746f70696320726f75746520696e666f20696e206e616d652073657276657220666f722074686520746f7069633a205400000000010203',
      cmd: new RemotingCommand(
        17,
        'JAVA',
        410,
        3,
        1,
        'No topic route info in name server for the topic: T',
        {},
        Buffer.from([1, 2, 3]),
        1,
      ),
    },
    {
      name: 'ROCKETMQ oneway, language GO, non-ASCII value',
      bytes:
        '0000002f0100002b002809019a00000007000000020000000000000016000d636f6e73756d657247726f75700000000347c3a9',
      cmd: new RemotingCommand(40, 'GO', 410, 7, 2, null, { consumerGroup: 'Gé' }, null, 1),
    },
  ];
  for (const { name, bytes, cmd } of javaFrames) {
    it(`matches Java: ${name}`, () => {
      expect(encodeCommand(cmd).toString('hex')).toBe(bytes);
      const [decoded] = new FrameDecoder().push(hex(bytes));
      expect(decoded).toEqual(cmd);
    });
  }
});

describe('decode', () => {
  it('reads an ali-ons style JSON header: numbers and booleans in extFields, no serializeTypeCurrentRPC', () => {
    const header = Buffer.from(
      JSON.stringify({
        code: 310,
        language: 'JAVA',
        opaque: 9,
        flag: 0,
        version: 121,
        extFields: { a: 'PG', b: 'T', e: 3, g: 1700000000000, k: false, z: null },
      }),
    );
    const body = Buffer.from('hello');
    const frame = Buffer.concat([int32(4 + header.length + body.length), int32(header.length), header, body]);
    const [cmd] = new FrameDecoder().push(frame);
    expect(cmd!.extFields).toEqual({ a: 'PG', b: 'T', e: '3', g: '1700000000000', k: 'false' });
    expect(cmd!.code).toBe(310);
    expect(cmd!.remark).toBeNull();
    expect(cmd!.body!.toString()).toBe('hello');
    expect(cmd!.serializeType).toBe(0);
  });

  it('a body is a view of the input, not a copy', () => {
    const frame = encodeCommand(RemotingCommand.request(10, {}, Buffer.from('abc')));
    const cmd = decodeFrame(frame, 4, frame.length - 4);
    expect(cmd.body!.buffer).toBe(frame.buffer);
  });

  it('a command with no body has body null', () => {
    const [cmd] = new FrameDecoder().push(encodeCommand(RemotingCommand.request(106)));
    expect(cmd!.body).toBeNull();
  });

  it('unknown binary language codes survive a round trip', () => {
    const cmd = new RemotingCommand(10, 'UNKNOWN_77', 1, 1, 0, null, {}, null, 1);
    const [back] = new FrameDecoder().push(encodeCommand(cmd));
    expect(back!.language).toBe('UNKNOWN_77');
  });

  it('ROCKETMQ: an empty remark reads as null, as Java', () => {
    const cmd = new RemotingCommand(0, 'JAVA', 1, 1, 1, '', {}, null, 1);
    const [back] = new FrameDecoder().push(encodeCommand(cmd));
    expect(back!.remark).toBeNull();
  });

  it('a __proto__ key stays a plain field in both header types', () => {
    for (const type of [0, 1] as const) {
      const cmd = new RemotingCommand(10, 'JAVA', 1, 1, 0, null, {}, null, type);
      Object.defineProperty(cmd.extFields, '__proto__', { value: 'x', enumerable: true });
      const [back] = new FrameDecoder().push(encodeCommand(cmd));
      expect(Object.getPrototypeOf(back!.extFields)).toBe(Object.prototype);
      expect(Object.keys(back!.extFields)).toEqual(['__proto__']);
    }
  });
});

function sample(i: number, type: SerializeType): RemotingCommand {
  const body = i % 3 === 0 ? null : Buffer.alloc((i * 37) % 900, i & 0xff);
  const cmd = RemotingCommand.request(
    310,
    {
      a: `PG${i}`,
      b: 'TopicTest',
      e: i % 8,
      g: 1_700_000_000_000 + i,
      i: `TAGS\u0001Tag${i}\u0002KEYS\u0001k${i}`,
      k: false,
    },
    body,
  );
  cmd.serializeType = type;
  if (i % 4 === 1) cmd.remark = `remark ${i} ✓`;
  return cmd;
}

function plain(c: RemotingCommand): unknown {
  return { ...c, body: c.body === null ? null : Buffer.from(c.body) };
}

describe('round trips and streaming', () => {
  const commands = Array.from({ length: 40 }, (_, i) => sample(i, (i % 2) as SerializeType));
  const stream = Buffer.concat(commands.map(encodeCommand));

  it('every command round-trips in its own serialize type', () => {
    for (const c of commands) {
      const out = new FrameDecoder().push(encodeCommand(c));
      expect(out.map(plain)).toEqual([plain(c)]);
    }
  });

  it('frames packed into one chunk', () => {
    expect(new FrameDecoder().push(stream).map(plain)).toEqual(commands.map(plain));
  });

  it('frames fed byte by byte', () => {
    const d = new FrameDecoder();
    const out: RemotingCommand[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...d.push(stream.subarray(i, i + 1)));
    expect(out.map(plain)).toEqual(commands.map(plain));
    expect(d.buffered).toBe(0);
  });

  it('frames fed in random splits (fresh copies, as sockets deliver them)', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 50; round++) {
      const d = new FrameDecoder();
      const out: RemotingCommand[] = [];
      let pos = 0;
      while (pos < stream.length) {
        const n = 1 + rand(round % 2 === 0 ? 30 : 3000);
        out.push(...d.push(Buffer.from(stream.subarray(pos, pos + n))));
        pos += n;
      }
      expect(out.map(plain)).toEqual(commands.map(plain));
    }
  });

  it('an empty chunk yields nothing', () => {
    expect(new FrameDecoder().push(Buffer.alloc(0))).toEqual([]);
  });

  it('encodeCommandHeader + body equals encodeCommand', () => {
    for (const c of commands.slice(0, 6)) {
      const parts = c.body === null ? [encodeCommandHeader(c)] : [encodeCommandHeader(c), c.body];
      expect(Buffer.concat(parts)).toEqual(encodeCommand(c));
    }
  });
});

describe('garbage', () => {
  const good = encodeCommand(RemotingCommand.request(105, { topic: 'T' }));

  function expectFrameError(bytes: Buffer, max?: number): void {
    const d = new FrameDecoder(max);
    expect(() => d.push(bytes)).toThrow(RemotingFrameError);
    // the stream cannot be resynchronised: it stays failed
    expect(() => d.push(good)).toThrow(RemotingFrameError);
  }

  it('negative length', () => expectFrameError(int32(-1)));
  it('length too small for the header-length word', () =>
    expectFrameError(Buffer.concat([int32(2), hex('0000')])));
  it('frame over the size limit (checked from the length word alone)', () => {
    expectFrameError(int32(16 * 1024 * 1024 - 3));
    expectFrameError(int32(0x7fffffff));
    expectFrameError(int32(1000), 1000);
  });
  it('a frame exactly at the size limit is fine', () => {
    const cmd = RemotingCommand.request(10, {}, Buffer.alloc(1000));
    const frame = encodeCommand(cmd);
    expect(new FrameDecoder(frame.length).push(frame)).toHaveLength(1);
    expect(() => new FrameDecoder(frame.length - 1).push(frame)).toThrow(RemotingFrameError);
  });
  it('header length beyond the frame', () =>
    expectFrameError(Buffer.concat([int32(8), int32(100), int32(0)])));
  it('unknown serialize type', () =>
    expectFrameError(Buffer.concat([int32(6), int32((2 << 24) | 2), hex('7b7d')])));
  it('bad JSON', () => {
    const junk = Buffer.from('{"code":');
    expectFrameError(Buffer.concat([int32(4 + junk.length), int32(junk.length), junk]));
  });
  it('JSON that is not an object', () => {
    const junk = Buffer.from('[1,2]');
    expectFrameError(Buffer.concat([int32(4 + junk.length), int32(junk.length), junk]));
  });
  it('JSON with a non-numeric code', () => {
    const junk = Buffer.from('{"code":"abc"}');
    expectFrameError(Buffer.concat([int32(4 + junk.length), int32(junk.length), junk]));
  });
  it('ROCKETMQ header too short, bad remark length, bad extFields lengths', () => {
    const withHeader = (h: Buffer): Buffer =>
      Buffer.concat([int32(4 + h.length), int32((1 << 24) | h.length), h]);
    const fixed = hex('0069 00 018b 00000003 00000000');
    expectFrameError(withHeader(hex('0069 00 018b')));
    expectFrameError(withHeader(Buffer.concat([fixed, int32(50), int32(0)])));
    expectFrameError(withHeader(Buffer.concat([fixed, int32(-1), int32(0)])));
    expectFrameError(withHeader(Buffer.concat([fixed, int32(0), int32(99)])));
    expectFrameError(withHeader(Buffer.concat([fixed, int32(0), int32(3), hex('0005 61')])));
    expectFrameError(withHeader(Buffer.concat([fixed, int32(0), int32(7), hex('0001 61'), int32(9)])));
  });
  it('random bytes never throw anything but RemotingFrameError', () => {
    let seed = 7;
    for (let round = 0; round < 300; round++) {
      const n = 1 + (round % 64);
      const bytes = Buffer.alloc(n);
      for (let i = 0; i < n; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        bytes[i] = seed & 0xff;
      }
      // small plausible lengths so the header decoders get exercised, not just the length check
      if (n >= 4 && round % 2 === 0) bytes.writeInt32BE(Math.max(0, n - 4), 0);
      if (n >= 8 && round % 4 === 0) bytes[4] = round % 8 === 0 ? 0 : 1;
      try {
        new FrameDecoder().push(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(RemotingFrameError);
      }
    }
  });
  it('a truncated frame is held, not decoded', () => {
    const d = new FrameDecoder();
    expect(d.push(good.subarray(0, good.length - 1))).toEqual([]);
    expect(d.buffered).toBe(good.length - 1);
  });
});

describe('RemotingCommand', () => {
  it('request stringifies values and drops null/undefined; opaques are fresh', () => {
    const a = RemotingCommand.request(10, {
      s: 'x',
      n: 5,
      b: 9007199254740993n,
      t: true,
      z: null,
      u: undefined,
    });
    const b = RemotingCommand.request(10);
    expect(a.extFields).toEqual({ s: 'x', n: '5', b: '9007199254740993', t: 'true' });
    expect(b.opaque).not.toBe(a.opaque);
    expect(a.isResponse()).toBe(false);
    expect(a.isOneway()).toBe(false);
    expect(a.markOneway().isOneway()).toBe(true);
  });

  it('createResponse keeps opaque and serialize type and sets the response bit', () => {
    const req = RemotingCommand.request(105, { topic: 'T' });
    req.serializeType = 1;
    const resp = req.createResponse(17, 'no route', { x: 1 }, Buffer.from('b'));
    expect(resp.opaque).toBe(req.opaque);
    expect(resp.serializeType).toBe(1);
    expect(resp.isResponse()).toBe(true);
    expect(resp.remark).toBe('no route');
    expect(resp.extFields).toEqual({ x: '1' });
  });
});

describe('strings in headers', () => {
  it('round-trip non-ASCII keys, values and remarks in both header types', () => {
    const values = ['中文', 'emoji 😀', 'é'.repeat(60), 'x'.repeat(200), '', 'a'];
    for (const type of [0, 1] as const) {
      const ext: Record<string, string> = {};
      values.forEach((v, i) => {
        ext[`k${i}${v.slice(0, 3)}`] = v;
      });
      const cmd = new RemotingCommand(10, 'JAVA', 1, 1, 0, 'remarque é 😀', ext, null, type);
      const [back] = new FrameDecoder().push(encodeCommand(cmd));
      expect(back!.extFields).toEqual(ext);
      expect(back!.remark).toBe('remarque é 😀');
    }
  });
});
