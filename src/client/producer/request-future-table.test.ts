import { describe, expect, it } from 'vitest';
import { MQClientError, MQRequestTimeoutError } from '../errors.js';
import { MessageExt } from '../message.js';
import { RequestFutureTable } from './request-future-table.js';

const reply = (): MessageExt =>
  new MessageExt({
    topic: 'R',
    body: Buffer.from('r'),
    flag: 0,
    properties: {},
    queueId: 0,
    storeSize: 0,
    queueOffset: 0,
    sysFlag: 0,
    bornTimestamp: 0,
    bornHost: '',
    storeTimestamp: 0,
    storeHost: '',
    offsetMsgId: '',
    commitLogOffset: 0,
    bodyCRC: 0,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    brokerName: '',
  });

describe('RequestFutureTable', () => {
  it('settles a request with its reply, once', async () => {
    const t = new RequestFutureTable();
    const id = RequestFutureTable.createCorrelationId();
    const p = t.wait(id, 1000);
    const r = reply();
    expect(t.putResponse(id, r)).toBe(true);
    expect(t.putResponse(id, r)).toBe(false);
    expect(await p).toBe(r);
    expect(t.size).toBe(0);
  });

  it('times out with MQRequestTimeoutError and drops a late reply', async () => {
    const t = new RequestFutureTable();
    const p = t.wait('late', 20);
    await expect(p).rejects.toBeInstanceOf(MQRequestTimeoutError);
    expect(t.putResponse('late', reply())).toBe(false);
  });

  it('fails a request whose send failed, and everything on shutdown', async () => {
    const t = new RequestFutureTable();
    const a = t.wait('a', 1000);
    const b = t.wait('b', 1000);
    t.fail('a', new Error('send failed'));
    await expect(a).rejects.toThrow('send failed');
    t.failAll();
    await expect(b).rejects.toBeInstanceOf(MQClientError);
    expect(t.size).toBe(0);
  });
});
