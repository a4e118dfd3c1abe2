import { describe, expect, it } from 'vitest';
import { MQClientError } from './errors.js';
import { Message, MessageExt } from './message.js';
import { createUniqId, ipFromUniqId } from './message-client-id.js';

describe('Message', () => {
  it('keeps tags, keys and delay in properties under RocketMQ names', () => {
    const m = new Message({
      topic: 'T',
      body: 'hello',
      tags: 'TagA',
      keys: ['k1', 'k2'],
      properties: { a: '1' },
      delayTimeLevel: 3,
    });
    expect(m.body).toEqual(Buffer.from('hello'));
    expect(m.properties).toEqual({ a: '1', TAGS: 'TagA', KEYS: 'k1 k2', DELAY: '3', WAIT: 'true' });
    expect(m.tags).toBe('TagA');
    expect(m.keys).toBe('k1 k2');
    expect(m.delayTimeLevel).toBe(3);
    expect(m.userProperties).toEqual({ a: '1' });
    m.tags = undefined;
    expect(m.properties.TAGS).toBeUndefined();
  });

  it('rejects system property names as user properties', () => {
    expect(() => new Message({ topic: 'T', body: '', properties: { UNIQ_KEY: 'x' } })).toThrow(MQClientError);
    expect(() => new Message({ topic: 'T', body: '', properties: { a: '' } })).toThrow(/blank/);
  });

  it('a received message reports the UNIQ_KEY as msgId, else the offset msgId', () => {
    const fields = {
      topic: 'T',
      body: Buffer.from('x'),
      flag: 0,
      properties: { UNIQ_KEY: 'U1', TAGS: 't' },
      queueId: 1,
      storeSize: 10,
      queueOffset: 5,
      sysFlag: 0,
      bornTimestamp: 1,
      bornHost: '1.2.3.4:5',
      storeTimestamp: 2,
      storeHost: '1.2.3.4:6',
      offsetMsgId: 'OFF',
      commitLogOffset: 100,
      bodyCRC: 0,
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
      brokerName: 'b',
    };
    const m = new MessageExt(fields);
    expect(m.msgId).toBe('U1');
    expect(m.tags).toBe('t');
    expect(new MessageExt({ ...fields, properties: {} }).msgId).toBe('OFF');
  });
});

describe('UNIQ_KEY', () => {
  it('is 32 uppercase hex chars, unique, with the ip up front', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) ids.add(createUniqId());
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9A-F]{32}$/);
    const [a] = ids;
    expect(ipFromUniqId(a!)).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('encodes the time since the start of the month and a counter', () => {
    const now = new Date(2024, 4, 3, 10, 0, 0).getTime();
    const id = createUniqId(now);
    const diff = Number.parseInt(id.slice(20, 28), 16);
    expect(diff).toBe(now - new Date(2024, 4, 1).getTime());
    const next = createUniqId(now);
    expect((Number.parseInt(next.slice(28), 16) - Number.parseInt(id.slice(28), 16)) & 0xffff).toBe(1);
  });
});
