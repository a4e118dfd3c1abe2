import { describe, expect, it } from 'vitest';
import { MQClientError } from './errors.js';
import { Message } from './message.js';
import { MessageUtil } from './message-util.js';

describe('MessageUtil.createReplyMessage', () => {
  it('addresses {cluster}_REPLY_TOPIC and carries the correlation, reply-to and TTL', () => {
    const request = new Message({ topic: 'Req', body: 'q' });
    Object.assign(request.properties, {
      CLUSTER: 'DefaultCluster',
      CORRELATION_ID: 'c-1',
      REPLY_TO_CLIENT: '10.0.0.1@42',
      TTL: '3000',
      UNIQ_KEY: 'U',
    });
    const reply = MessageUtil.createReplyMessage(request, 'a');
    expect(reply.topic).toBe('DefaultCluster_REPLY_TOPIC');
    expect(reply.bodyText()).toBe('a');
    expect(reply.properties).toMatchObject({
      MSG_TYPE: 'reply',
      CORRELATION_ID: 'c-1',
      REPLY_TO_CLIENT: '10.0.0.1@42',
      TTL: '3000',
    });
    expect(reply.properties.UNIQ_KEY).toBeUndefined();
    expect(MessageUtil.getReplyToClient(request)).toBe('10.0.0.1@42');
  });

  it('refuses a message that is not a stored request (no CLUSTER)', () => {
    expect(() => MessageUtil.createReplyMessage(new Message({ topic: 'T', body: 'x' }), 'a')).toThrow(
      MQClientError,
    );
  });
});
