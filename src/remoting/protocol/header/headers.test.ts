import { describe, expect, it } from 'vitest';
import { RemotingCommandError } from '../../custom-header.js';
import * as createTopic from './create-topic-request-header.js';
import * as pullReq from './pull-message-request-header.js';
import * as pullResp from './pull-message-response-header.js';
import * as queryOffset from './query-consumer-offset-request-header.js';
import * as queryMessage from './query-message-request-header.js';
import * as resetOffset from './reset-offset-request-header.js';
import * as sendResp from './send-message-response-header.js';
import * as unregister from './unregister-client-request-header.js';
import * as updateOffset from './update-consumer-offset-request-header.js';

describe('request/response headers', () => {
  it('PullMessageRequestHeader round-trips, optional fields left out', () => {
    const h = {
      consumerGroup: 'G',
      topic: 'T',
      queueId: 1,
      queueOffset: 2 ** 40,
      maxMsgNums: 32,
      sysFlag: 0x7,
      commitOffset: 5,
      suspendTimeoutMillis: 15000,
      subVersion: 1700000000000,
      subscription: 'a || b',
      expressionType: 'TAG',
    };
    expect(pullReq.decodePullMessageRequestHeader(pullReq.encodePullMessageRequestHeader(h))).toEqual(h);
    const { subscription: _s, expressionType: _e, ...bare } = h;
    const enc = pullReq.encodePullMessageRequestHeader(bare);
    expect(enc).not.toHaveProperty('subscription');
    expect(pullReq.decodePullMessageRequestHeader(enc)).toEqual(bare);
  });

  it('PullMessageResponseHeader and SendMessageResponseHeader round-trip', () => {
    const p = { suggestWhichBrokerId: 0, nextBeginOffset: 10, minOffset: 0, maxOffset: 10 };
    expect(pullResp.decodePullMessageResponseHeader(pullResp.encodePullMessageResponseHeader(p))).toEqual(p);
    const s = {
      msgId: '7F00000100002A9F0000000000000000',
      queueId: 2,
      queueOffset: 7,
      MSG_REGION: 'DefaultRegion',
      TRACE_ON: 'true',
    };
    expect(sendResp.encodeSendMessageResponseHeader(s)).toEqual({
      msgId: s.msgId,
      queueId: '2',
      queueOffset: '7',
      MSG_REGION: 'DefaultRegion',
      TRACE_ON: 'true',
    });
    expect(sendResp.decodeSendMessageResponseHeader(sendResp.encodeSendMessageResponseHeader(s))).toEqual(s);
  });

  it('offset headers round-trip and reject bad numbers', () => {
    const q = { consumerGroup: 'G', topic: 'T', queueId: 3 };
    expect(
      queryOffset.decodeQueryConsumerOffsetRequestHeader(
        queryOffset.encodeQueryConsumerOffsetRequestHeader(q),
      ),
    ).toEqual(q);
    const u = { ...q, commitOffset: 99 };
    expect(
      updateOffset.decodeUpdateConsumerOffsetRequestHeader(
        updateOffset.encodeUpdateConsumerOffsetRequestHeader(u),
      ),
    ).toEqual(u);
    expect(() =>
      queryOffset.decodeQueryConsumerOffsetRequestHeader({ consumerGroup: 'G', topic: 'T', queueId: 'x' }),
    ).toThrow(RemotingCommandError);
    expect(() =>
      queryOffset.decodeQueryConsumerOffsetRequestHeader({ consumerGroup: 'G', topic: 'T' }),
    ).toThrow('the custom field <queueId> is null');
  });

  it('CreateTopicRequestHeader, QueryMessageRequestHeader, ResetOffsetRequestHeader, UnregisterClientRequestHeader', () => {
    const c = {
      topic: 'T',
      defaultTopic: 'TBW102',
      readQueueNums: 8,
      writeQueueNums: 8,
      perm: 6,
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: 0,
      order: false,
    };
    expect(createTopic.decodeCreateTopicRequestHeader(createTopic.encodeCreateTopicRequestHeader(c))).toEqual(
      c,
    );
    const m = {
      topic: 'T',
      key: 'k',
      maxNum: 32,
      beginTimestamp: 0,
      endTimestamp: 2 ** 45,
      _UNIQUE_KEY_QUERY: true,
    };
    expect(queryMessage.encodeQueryMessageRequestHeader(m)._UNIQUE_KEY_QUERY).toBe('true');
    expect(
      queryMessage.decodeQueryMessageRequestHeader(queryMessage.encodeQueryMessageRequestHeader(m)),
    ).toEqual(m);
    const r = { topic: 'T', group: 'G', timestamp: 1, isForce: true };
    expect(resetOffset.encodeResetOffsetRequestHeader(r)).toEqual({
      topic: 'T',
      group: 'G',
      timestamp: '1',
      isForce: 'true',
    });
    expect(resetOffset.decodeResetOffsetRequestHeader(resetOffset.encodeResetOffsetRequestHeader(r))).toEqual(
      r,
    );
    const un = { clientID: '1.2.3.4@1', consumerGroup: 'G' };
    expect(
      unregister.decodeUnregisterClientRequestHeader(unregister.encodeUnregisterClientRequestHeader(un)),
    ).toEqual(un);
  });
});
