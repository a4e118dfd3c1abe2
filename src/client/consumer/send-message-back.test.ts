import { describe, expect, it } from 'vitest';
import { MessageExt } from '../message.js';
import { buildRetryMessage } from './send-message-back.js';

describe('buildRetryMessage (fallback when CONSUMER_SEND_MSG_BACK fails)', () => {
  it('re-addresses the message to %RETRY%group keeping its origin and counting the retry', () => {
    const msg = new MessageExt({
      topic: 'Orders',
      body: Buffer.from('b'),
      flag: 7,
      properties: { UNIQ_KEY: 'U1', TAGS: 't', a: '1' },
      queueId: 0,
      storeSize: 0,
      queueOffset: 3,
      sysFlag: 0,
      bornTimestamp: 0,
      bornHost: '',
      storeTimestamp: 0,
      storeHost: '',
      offsetMsgId: 'OFF',
      commitLogOffset: 0,
      bodyCRC: 0,
      reconsumeTimes: 2,
      preparedTransactionOffset: 0,
      brokerName: 'b',
    });
    const r = buildRetryMessage(msg, 'G', 16);
    expect(r.topic).toBe('%RETRY%G');
    expect(r.body.toString()).toBe('b');
    expect(r.flag).toBe(7);
    expect(r.properties).toMatchObject({
      UNIQ_KEY: 'U1',
      TAGS: 't',
      a: '1',
      ORIGIN_MESSAGE_ID: 'U1',
      RETRY_TOPIC: 'Orders',
      RECONSUME_TIME: '3',
      MAX_RECONSUME_TIMES: '16',
      DELAY: '5',
    });
    // the caller's message is untouched
    expect(msg.properties.RETRY_TOPIC).toBeUndefined();
    // a message that already was a retry keeps its first origin
    msg.properties.ORIGIN_MESSAGE_ID = 'FIRST';
    expect(buildRetryMessage(msg, 'G', 16).properties.ORIGIN_MESSAGE_ID).toBe('FIRST');
  });

  it('the orderly variant sends the count it reached, without a delay, and drops TRAN_MSG', () => {
    const msg = new MessageExt({
      topic: 'Orders',
      body: Buffer.from('b'),
      flag: 0,
      properties: { UNIQ_KEY: 'U1', TRAN_MSG: 'true', DELAY: '3' },
      queueId: 0,
      storeSize: 0,
      queueOffset: 3,
      sysFlag: 0,
      bornTimestamp: 0,
      bornHost: '',
      storeTimestamp: 0,
      storeHost: '',
      offsetMsgId: 'OFF',
      commitLogOffset: 0,
      bodyCRC: 0,
      reconsumeTimes: 2,
      preparedTransactionOffset: 0,
      brokerName: 'b',
    });
    const r = buildRetryMessage(msg, 'G', 2, msg.reconsumeTimes, 0);
    expect(r.properties).toMatchObject({
      RECONSUME_TIME: '2',
      MAX_RECONSUME_TIMES: '2',
      RETRY_TOPIC: 'Orders',
    });
    expect(r.properties.DELAY).toBeUndefined();
    expect(r.properties.TRAN_MSG).toBeUndefined();
  });
});
