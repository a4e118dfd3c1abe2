import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  decodeRegisterBrokerBody,
  encodeRegisterBrokerBody,
  RegisterBrokerBodyError,
} from './register-broker-body.js';
import type { RegisterBrokerBody } from './route-data.js';

const body: RegisterBrokerBody = {
  topicConfigSerializeWrapper: {
    topicConfigTable: new Map([
      [
        'T',
        {
          topicName: 'T',
          readQueueNums: 8,
          writeQueueNums: 4,
          perm: 6,
          topicFilterType: 'SINGLE_TAG',
          topicSysFlag: 1,
          order: true,
        },
      ],
    ]),
    dataVersion: { timestamp: 1700000000000, counter: 3 },
  },
  filterServerList: ['10.0.0.1:20000'],
};

describe('RegisterBrokerBody', () => {
  it('round-trips the plain JSON form, and reads fastjson with defaults for missing fields', async () => {
    expect(await decodeRegisterBrokerBody(await encodeRegisterBrokerBody(body, false), false)).toEqual(body);
    const fastjson = Buffer.from(
      '{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":3,"timestamp":1700000000000},' +
        '"topicConfigTable":{"T":{"topicName":"T","perm":2}}}}',
    );
    const decoded = await decodeRegisterBrokerBody(fastjson, false);
    expect(decoded.topicConfigSerializeWrapper.topicConfigTable.get('T')).toEqual({
      topicName: 'T',
      readQueueNums: 16,
      writeQueueNums: 16,
      perm: 2,
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: 0,
      order: false,
    });
  });

  it("writes the compressed form as 4.9.8's RegisterBrokerBody.encode(true) lays it out", async () => {
    const raw = inflateSync(await encodeRegisterBrokerBody(body, true));
    const dv = '{"counter":3,"timestamp":1700000000000}';
    const tc = 'T 8 4 6 SINGLE_TAG';
    const fs = '["10.0.0.1:20000"]';
    const expected = Buffer.concat([
      int(dv.length),
      Buffer.from(dv),
      int(1),
      int(tc.length),
      Buffer.from(tc),
      int(fs.length),
      Buffer.from(fs),
    ]);
    expect(raw).toEqual(expected);
  });

  it('reads the compressed form, losing topicSysFlag and order as 4.9.8 does', async () => {
    const decoded = await decodeRegisterBrokerBody(await encodeRegisterBrokerBody(body, true), true);
    expect(decoded.topicConfigSerializeWrapper.dataVersion).toEqual(
      body.topicConfigSerializeWrapper.dataVersion,
    );
    expect(decoded.topicConfigSerializeWrapper.topicConfigTable.get('T')).toMatchObject({
      readQueueNums: 8,
      writeQueueNums: 4,
      topicSysFlag: 0,
      order: false,
    });
    expect(decoded.filterServerList).toEqual(['10.0.0.1:20000']);
  });

  it('rejects garbage, truncated streams and bad topic lines', async () => {
    await expect(decodeRegisterBrokerBody(Buffer.from('not zlib'), true)).rejects.toThrow(
      RegisterBrokerBodyError,
    );
    await expect(decodeRegisterBrokerBody(Buffer.from('{"a":'), false)).rejects.toThrow(
      RegisterBrokerBodyError,
    );
    const whole = inflateSync(await encodeRegisterBrokerBody(body, true));
    const { deflateSync } = await import('node:zlib');
    await expect(decodeRegisterBrokerBody(deflateSync(whole.subarray(0, 50)), true)).rejects.toThrow(
      /truncated/,
    );
    const badLine = Buffer.concat([
      int(2),
      Buffer.from('{}'),
      int(1),
      int(3),
      Buffer.from('T 8'),
      int(2),
      Buffer.from('[]'),
    ]);
    await expect(decodeRegisterBrokerBody(deflateSync(badLine), true)).rejects.toThrow(/bad topic config/);
  });
});

function int(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}
