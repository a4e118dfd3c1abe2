import { describe, expect, it } from 'vitest';
import { RemotingCommandError } from '../../custom-header.js';
import {
  decodeSendMessageRequestHeader,
  decodeSendMessageRequestHeaderV2,
  encodeSendMessageRequestHeader,
  encodeSendMessageRequestHeaderV2,
  type SendMessageRequestHeader,
} from './send-message-request-header.js';

const header: SendMessageRequestHeader = {
  producerGroup: 'PG',
  topic: 'T',
  defaultTopic: 'TBW102',
  defaultTopicQueueNums: 4,
  queueId: 3,
  sysFlag: 0,
  bornTimestamp: 1700000000123,
  flag: 0,
  properties: 'TAGS\u0001a\u0002',
  reconsumeTimes: 0,
  unitMode: false,
  batch: false,
  maxReconsumeTimes: 16,
};

describe('SendMessageRequestHeader', () => {
  it('round-trips V1 and V2', () => {
    expect(decodeSendMessageRequestHeader(encodeSendMessageRequestHeader(header))).toEqual(header);
    expect(decodeSendMessageRequestHeaderV2(encodeSendMessageRequestHeaderV2(header))).toEqual(header);
  });

  it('uses the one-letter names of SendMessageRequestHeaderV2', () => {
    expect(encodeSendMessageRequestHeaderV2(header)).toEqual({
      a: 'PG',
      b: 'T',
      c: 'TBW102',
      d: '4',
      e: '3',
      f: '0',
      g: '1700000000123',
      h: '0',
      i: 'TAGS\u0001a\u0002',
      j: '0',
      k: 'false',
      l: '16',
      m: 'false',
    });
  });

  it('reads what ali-ons sends (no l, no m) and treats absent booleans as false', () => {
    const h = decodeSendMessageRequestHeaderV2({
      a: 'PG',
      b: 'T',
      c: 'TBW102',
      d: '4',
      e: '1',
      f: '0',
      g: '5',
      h: '0',
    });
    expect(h.batch).toBe(false);
    expect(h.unitMode).toBe(false);
    expect(h.properties).toBeUndefined();
    expect(h.maxReconsumeTimes).toBeUndefined();
  });

  it('names a missing or non-numeric field as RocketMQ does', () => {
    expect(() => decodeSendMessageRequestHeaderV2({ a: 'PG' })).toThrow('the custom field <b> is null');
    expect(() =>
      decodeSendMessageRequestHeaderV2({ a: 'PG', b: 'T', c: 'x', d: '4', e: 'x', f: '0', g: '5', h: '0' }),
    ).toThrow(RemotingCommandError);
  });

  it('parses numbers as Integer.parseInt / Long.parseLong do', () => {
    const base = { a: 'PG', b: 'T', c: 'TBW102', d: '4', e: '1', f: '0', g: '5', h: '0' };
    const q = (e: string) => decodeSendMessageRequestHeaderV2({ ...base, e }).queueId;
    expect(q('+7')).toBe(7);
    expect(q('-1')).toBe(-1);
    expect(q('007')).toBe(7);
    expect(decodeSendMessageRequestHeaderV2({ ...base, g: '1700000000123' }).bornTimestamp).toBe(
      1700000000123,
    );
    expect(decodeSendMessageRequestHeaderV2({ ...base, g: '9223372036854775807' }).bornTimestamp).toBe(
      2 ** 63,
    );
    for (const bad of ['', '-', '1.5', '12a', ' 1', 'abc', '1e3']) {
      expect(() => q(bad), bad).toThrow(RemotingCommandError);
    }
  });
});
