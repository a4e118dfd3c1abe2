import { describe, expect, it } from 'vitest';
import {
  createOffsetMsgId,
  decodeOffsetMsgId,
  decodeSocketAddress,
  encodeSocketAddress,
  offsetToHex,
  putOffsetHex,
  splitHostPort,
} from './message-id.js';

describe('socket addresses and offset msgIds', () => {
  it('IPv4: 8 bytes, msgId as RocketMQ prints it', () => {
    const h = encodeSocketAddress('192.168.1.2:10911');
    expect(h.toString('hex')).toBe('c0a8010200002a9f');
    expect(createOffsetMsgId(h, 123456789012)).toBe('C0A8010200002A9F0000001CBE991A14');
    expect(decodeOffsetMsgId('C0A8010200002A9F0000001CBE991A14')).toEqual({
      address: '192.168.1.2:10911',
      ip: '192.168.1.2',
      port: 10911,
      offset: 123456789012,
    });
  });

  it('IPv6: 20 bytes, bracketed or bare input, Java-style output', () => {
    const h = encodeSocketAddress('[fe80::1:2]:10911');
    expect(h.length).toBe(20);
    expect(encodeSocketAddress('fe80::1:2:10911').equals(h)).toBe(true);
    expect(decodeSocketAddress(h)).toBe('fe80:0:0:0:0:0:1:2:10911');
    const id = createOffsetMsgId(h, 2 ** 40);
    expect(id).toBe('FE80000000000000000000000001000200002A9F0000010000000000');
    expect(decodeOffsetMsgId(id)).toMatchObject({ ip: 'fe80:0:0:0:0:0:1:2', port: 10911, offset: 2 ** 40 });
  });

  it('IPv4-mapped IPv6 becomes IPv4, as Java InetAddress does', () => {
    expect(encodeSocketAddress('[::ffff:10.0.0.1]:80').toString('hex')).toBe('0a00000100000050');
  });

  it('rejects garbage', () => {
    expect(() => encodeSocketAddress('nohost')).toThrow();
    expect(() => encodeSocketAddress('host.example:80')).toThrow();
    expect(() => splitHostPort('1.2.3.4:99999')).toThrow();
    expect(() => decodeOffsetMsgId('XYZ')).toThrow();
  });

  it('offsets as 16 uppercase hex digits, as Java formats the commit log offset of a msgId', () => {
    const offsets = [
      0,
      1,
      255,
      256,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 40 + 0xabcdef,
      2 ** 53 - 1,
    ];
    for (let i = 0; i < 200; i++) offsets.push(Math.floor(Math.random() * 2 ** 53));
    for (const o of offsets) {
      expect(offsetToHex(o)).toBe(BigInt(o).toString(16).toUpperCase().padStart(16, '0'));
    }
  });

  describe('putOffsetHex', () => {
    it('writes a CommitLog offset as the 16 hex digits offsetToHex spells', () => {
      const offsets = [
        0,
        1,
        15,
        16,
        0xabcdef,
        2 ** 31 - 1,
        2 ** 31,
        2 ** 32 - 1,
        2 ** 32,
        2 ** 40 + 0x1234,
        2 ** 53 - 1,
      ];
      for (let i = 0; i < 200; i++) offsets.push(Math.floor(Math.random() * 2 ** 53));
      const out = Buffer.alloc(20, 0x7e);
      for (const offset of offsets) {
        putOffsetHex(out, 2, offset);
        expect(out.toString('latin1', 2, 18)).toBe(offsetToHex(offset));
        expect(out[1]).toBe(0x7e);
        expect(out[18]).toBe(0x7e);
      }
    });
  });
});
