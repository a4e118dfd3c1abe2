import { describe, expect, it } from 'vitest';
import { encodeStoredMessage } from '../../common/message-decoder.js';
import { tagsString2tagsCode } from '../../common/tag-hash.js';
import { scheduledInnerFromStored } from './scheduled-message-inner.js';

const ipv4 = (port: number) => Buffer.from([127, 0, 0, 1, 0, 0, (port >> 8) & 0xff, port & 0xff]);

function stored(over: { bornHost?: Buffer; storeHost?: Buffer; properties?: string; sysFlag?: number }) {
  return encodeStoredMessage({
    topic: 'SCHEDULE_TOPIC_XXXX',
    flag: 7,
    properties:
      over.properties ??
      'DELAY\u00012\u0002WAIT\u0001true\u0002TAGS\u0001TagA\u0002REAL_TOPIC\u0001T1\u0002REAL_QID\u00013',
    body: Buffer.from('héllo body'),
    queueId: 1,
    queueOffset: 42,
    commitLogOffset: 123_456,
    sysFlag: over.sysFlag ?? 0x1,
    bornTimestamp: 1_700_000_000_123,
    bornHost: over.bornHost ?? ipv4(5555),
    storeTimestamp: 1_700_000_000_456,
    storeHost: over.storeHost ?? ipv4(10911),
    reconsumeTimes: 3,
    preparedTransactionOffset: 0,
  });
}

describe('scheduledInnerFromStored (messageTimeup from stored bytes)', () => {
  it('keeps body, flag, sysFlag, hosts, times and the properties string as stored; real topic and queue', () => {
    const s = scheduledInnerFromStored(stored({}))!;
    expect(s.realTopic).toBe('T1');
    expect(s.realQueueId).toBe(3);
    expect([s.storedQueueId, s.queueOffset, s.commitLogOffset]).toEqual([1, 42, 123_456]);
    const m = s.inner;
    expect(m.topic).toBe('T1');
    expect(m.queueId).toBe(3);
    expect(m.body.toString()).toBe('héllo body');
    expect(m.flag).toBe(7);
    expect(m.sysFlag).toBe(0x1); // compressed bit kept: the body is handed on as stored
    expect(m.bornTimestamp).toBe(1_700_000_000_123);
    expect([...m.bornHost]).toEqual([...ipv4(5555)]);
    expect([...m.storeHost!]).toEqual([...ipv4(10911)]);
    expect(m.reconsumeTimes).toBe(3);
    expect(m.propertiesString).toContain('DELAY\u00012');
    expect(m.propertiesString).toContain('WAIT\u0001true');
    expect(m.tagsCode).toBe(tagsString2tagsCode('TagA'));
    // the put must neither go round the schedule again nor wait
    expect(m.delayTimeLevel).toBe(0);
    expect(m.waitStoreMsgOK).toBe(false);
  });

  it('reads IPv6 hosts (BORNHOST_V6 / STOREHOSTADDRESS_V6) at their lengths', () => {
    const v6 = Buffer.alloc(20, 9);
    const s = scheduledInnerFromStored(stored({ bornHost: v6, storeHost: Buffer.alloc(20, 5) }))!;
    expect(s.inner.bornHost.length).toBe(20);
    expect(s.inner.storeHost!.length).toBe(20);
    expect(s.inner.body.toString()).toBe('héllo body');
    expect(s.inner.reconsumeTimes).toBe(3);
    expect(s.realTopic).toBe('T1');
  });

  it('answers a stored store host equal to the local one as the local buffer itself', () => {
    const local = ipv4(10911);
    expect(scheduledInnerFromStored(stored({}), local)!.inner.storeHost).toBe(local);
    const other = ipv4(10999);
    const s = scheduledInnerFromStored(stored({}), other)!;
    expect(s.inner.storeHost).not.toBe(other);
    expect([...s.inner.storeHost!]).toEqual([...ipv4(10911)]);
  });

  it('answers undefined for bytes that are not a whole message', () => {
    const b = stored({});
    expect(scheduledInnerFromStored(b.subarray(0, b.length - 5))).toBeUndefined();
    const bad = Buffer.from(b);
    bad.writeInt32BE(0, 4);
    expect(scheduledInnerFromStored(bad)).toBeUndefined();
    expect(scheduledInnerFromStored(Buffer.alloc(10))).toBeUndefined();
  });
});
