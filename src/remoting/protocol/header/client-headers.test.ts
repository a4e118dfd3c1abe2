import { describe, expect, it } from 'vitest';
import {
  decodeConsumerSendMsgBackRequestHeader,
  encodeConsumerSendMsgBackRequestHeader,
} from './consumer-send-msg-back-request-header.js';
import {
  decodeGetRouteInfoRequestHeader,
  encodeGetRouteInfoRequestHeader,
} from './get-route-info-request-header.js';

describe('client request headers', () => {
  it('CONSUMER_SEND_MSG_BACK round-trips with RocketMQ field names', () => {
    const h = {
      offset: 123456,
      group: 'G',
      delayLevel: 0,
      originMsgId: 'U',
      originTopic: 'T',
      unitMode: false,
      maxReconsumeTimes: 16,
    };
    const ext = encodeConsumerSendMsgBackRequestHeader(h);
    expect(ext).toEqual({
      offset: '123456',
      group: 'G',
      delayLevel: '0',
      originMsgId: 'U',
      originTopic: 'T',
      unitMode: 'false',
      maxReconsumeTimes: '16',
    });
    expect(decodeConsumerSendMsgBackRequestHeader(ext)).toEqual(h);
  });

  it('GET_ROUTEINFO_BY_TOPIC round-trips', () => {
    expect(encodeGetRouteInfoRequestHeader({ topic: 'T' })).toEqual({ topic: 'T' });
    expect(decodeGetRouteInfoRequestHeader({ topic: 'T', acceptStandardJsonOnly: 'true' })).toEqual({
      topic: 'T',
      acceptStandardJsonOnly: true,
    });
  });
});
