import { describe, expect, it } from 'vitest';
import {
  decodeCheckTransactionStateRequestHeader,
  decodeReplyMessageRequestHeader,
  encodeEndTransactionRequestHeader,
} from './client-protocol.js';

describe('client-side headers', () => {
  it('END_TRANSACTION has RocketMQ field names, every value a string', () => {
    expect(
      encodeEndTransactionRequestHeader({
        producerGroup: 'PG',
        tranStateTableOffset: 7,
        commitLogOffset: 1234,
        commitOrRollback: 8,
        fromTransactionCheck: true,
        msgId: 'U',
        transactionId: 'T',
      }),
    ).toEqual({
      producerGroup: 'PG',
      tranStateTableOffset: '7',
      commitLogOffset: '1234',
      commitOrRollback: '8',
      fromTransactionCheck: 'true',
      msgId: 'U',
      transactionId: 'T',
    });
  });

  it('CHECK_TRANSACTION_STATE and PUSH_REPLY_MESSAGE_TO_CLIENT decode', () => {
    expect(
      decodeCheckTransactionStateRequestHeader({
        tranStateTableOffset: '3',
        commitLogOffset: '99',
        msgId: 'U',
        transactionId: 'T',
        offsetMsgId: 'O',
      }),
    ).toEqual({
      tranStateTableOffset: 3,
      commitLogOffset: 99,
      msgId: 'U',
      transactionId: 'T',
      offsetMsgId: 'O',
    });
    expect(() => decodeCheckTransactionStateRequestHeader({ commitLogOffset: '1' })).toThrow();
    expect(
      decodeReplyMessageRequestHeader({
        producerGroup: 'G',
        topic: 'C_REPLY_TOPIC',
        queueId: '0',
        sysFlag: '1',
        bornTimestamp: '5',
        flag: '0',
        properties: 'a\u0001b\u0002',
        bornHost: '1.2.3.4:5',
        storeHost: '6.7.8.9:10',
        storeTimestamp: '6',
      }),
    ).toMatchObject({ topic: 'C_REPLY_TOPIC', sysFlag: 1, reconsumeTimes: 0, storeTimestamp: 6 });
  });
});
