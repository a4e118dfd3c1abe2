import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MessageSysFlag } from './message-const.js';
import {
  calMsgLength,
  crc32Masked,
  decodeBatchMessages,
  decodeMessage,
  decodeMessages,
  encodeBatchMessages,
  encodeStoredMessage,
  readLong,
  writeLong,
} from './message-decoder.js';
import { encodeSocketAddress } from './message-id.js';

// Golden bytes printed by RocketMQ 4.9.8's MessageDecoder.encode for the same MessageExt
// (properties in the order Java's HashMap produced them: a, KEYS, TAGS).
const JAVA_V4 =
  '00000081daa320a73610a6860000000300000007000000000000002a0000001cbe991a14000000000000018bcfe5687b0a0000090000c822' +
  '0000018bcfe569c8c0a8010200002a9f0000000200000000000000630000000568656c6c6f09546f706963546573740018610162024b455953' +
  '014b31204b3202544147530154616741';
const JAVA_V6 =
  '0000008ddaa320a73610a6860000000300000007000000000000002a0000001cbe991a14000000200000018bcfe5687b0a0000090000c822' +
  '0000018bcfe569c8fe80000000000000000000000001000200002a9f0000000200000000000000630000000568656c6c6f09546f70696354' +
  '6573740018610162024b455953014b31204b3202544147530154616741';
const PROPS = 'a\u0001b\u0002KEYS\u0001K1 K2\u0002TAGS\u0001TagA';

function fields(storeHost: string) {
  return {
    topic: 'TopicTest',
    flag: 7,
    properties: PROPS,
    body: Buffer.from('hello'),
    queueId: 3,
    queueOffset: 42,
    commitLogOffset: 123456789012,
    sysFlag: 0,
    bornTimestamp: 1700000000123,
    bornHost: encodeSocketAddress('10.0.0.9:51234'),
    storeTimestamp: 1700000000456,
    storeHost: encodeSocketAddress(storeHost),
    reconsumeTimes: 2,
    preparedTransactionOffset: 99,
  };
}

describe('stored message layout', () => {
  it('CRC matches java.util.zip.CRC32 masked as UtilAll.crc32', () => {
    expect(crc32Masked(Buffer.from('hello'))).toBe(0x3610a686);
    const b = Buffer.alloc(1024);
    for (let i = 0; i < b.length; i++) b[i] = (i * 7 + 3) & 0xff;
    expect(crc32Masked(b)).toBe(1564338413); // printed by Java
  });

  it('encodes exactly as RocketMQ 4.9.8 (IPv4 store host)', () => {
    expect(encodeStoredMessage(fields('192.168.1.2:10911')).toString('hex')).toBe(JAVA_V4);
  });

  it('encodes exactly as RocketMQ 4.9.8 (IPv6 store host)', () => {
    expect(encodeStoredMessage(fields('[fe80::1:2]:10911')).toString('hex')).toBe(JAVA_V6);
  });

  it('decodes Java-written bytes, msgId as Java prints it', () => {
    const m = decodeMessage(Buffer.from(JAVA_V6, 'hex'));
    expect(m.msgId).toBe('FE80000000000000000000000001000200002A9F0000001CBE991A14');
    expect(m.storeHost).toBe('fe80:0:0:0:0:0:1:2:10911');
    expect(m.bornHost).toBe('10.0.0.9:51234');
    expect(m.properties).toEqual({ a: 'b', KEYS: 'K1 K2', TAGS: 'TagA' });
    expect(m.sysFlag).toBe(MessageSysFlag.STOREHOSTADDRESS_V6_FLAG);
    const v4 = decodeMessage(Buffer.from(JAVA_V4, 'hex'));
    expect(v4.msgId).toBe('C0A8010200002A9F0000001CBE991A14');
  });

  it('decode(encode(x)) == x, both hosts IPv6', () => {
    const f = { ...fields('[::1]:10911'), bornHost: encodeSocketAddress('[2001:db8::7]:4000') };
    const buf = encodeStoredMessage(f);
    expect(buf.length).toBe(calMsgLength(0x30, 5, 9, Buffer.byteLength(PROPS)));
    const m = decodeMessage(buf);
    expect(m).toMatchObject({
      topic: 'TopicTest',
      flag: 7,
      queueId: 3,
      queueOffset: 42,
      commitLogOffset: 123456789012,
      sysFlag: 0x30,
      bornTimestamp: 1700000000123,
      storeTimestamp: 1700000000456,
      bornHost: '2001:db8:0:0:0:0:0:7:4000',
      storeHost: '0:0:0:0:0:0:0:1:10911',
      reconsumeTimes: 2,
      preparedTransactionOffset: 99,
      bodyCRC: 0x3610a686,
      storeSize: buf.length,
    });
    expect(m.body.toString()).toBe('hello');
  });

  it('inflates compressed bodies unless told not to', () => {
    const body = deflateSync(Buffer.from('x'.repeat(5000)), { level: 5 });
    const buf = encodeStoredMessage({
      ...fields('1.2.3.4:5'),
      body,
      sysFlag: MessageSysFlag.COMPRESSED_FLAG,
    });
    expect(decodeMessage(buf).body.toString()).toBe('x'.repeat(5000));
    expect(decodeMessage(buf, 0, { decompressBody: false }).body.equals(body)).toBe(true);
  });

  it('decodes concatenated entries and rejects a bad magic', () => {
    const a = encodeStoredMessage(fields('1.2.3.4:5'));
    const b = encodeStoredMessage({ ...fields('1.2.3.4:5'), queueOffset: 43, topic: 'Other' });
    const all = decodeMessages(Buffer.concat([a, b]));
    expect(all.map((m) => [m.topic, m.queueOffset])).toEqual([
      ['TopicTest', 42],
      ['Other', 43],
    ]);
    const bad = Buffer.from(a);
    bad.writeInt32BE(1234, 4);
    expect(() => decodeMessage(bad)).toThrow(/magic/);
  });

  it('int64 helpers cover negatives and values past 2^32', () => {
    const b = Buffer.alloc(8);
    for (const n of [0, 1, -1, 2 ** 32, 2 ** 40 + 5, -(2 ** 40) - 3, Number.MAX_SAFE_INTEGER]) {
      writeLong(b, n, 0);
      expect(b.readBigInt64BE(0)).toBe(BigInt(n));
      expect(readLong(b, 0)).toBe(n);
    }
  });

  it('batch body round trip (SEND_BATCH_MESSAGE layout)', () => {
    const body = encodeBatchMessages([
      { flag: 1, body: Buffer.from('one'), properties: { KEYS: 'k1' } },
      { flag: 2, body: Buffer.alloc(0), properties: {} },
    ]);
    // totalSize of the first entry = 20 + 3 + 2 + len("KEYS\u0001k1")
    expect(body.readInt32BE(0)).toBe(20 + 3 + 2 + 7);
    const msgs = decodeBatchMessages(body);
    expect(msgs.map((m) => [m.flag, m.body.toString(), m.propertiesString])).toEqual([
      [1, 'one', 'KEYS\u0001k1'],
      [2, '', ''],
    ]);
    expect(() => decodeBatchMessages(body.subarray(0, 10))).toThrow();
  });
});
