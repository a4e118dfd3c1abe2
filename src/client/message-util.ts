import { MessageConst, MixAll } from '../common/message-const.js';
import { MQClientError } from './errors.js';
import { Message } from './message.js';

/** client/.../utils/MessageUtil.java: building the reply to a request message. */
export const MessageUtil = {
  /**
   * The reply to `request` (a message sent with Producer.request and received by a consumer): topic
   * `{cluster}_REPLY_TOPIC` of the broker cluster that stored the request (the broker adds CLUSTER to
   * every message), MSG_TYPE=reply, and the request's CORRELATION_ID, REPLY_TO_CLIENT and TTL. Send it
   * with any Producer (`producer.send(reply)` or `producer.reply(request, body)`); the broker pushes it
   * to the waiting requester.
   */
  createReplyMessage(request: Message, body: Buffer | Uint8Array | string): Message {
    const p = request.properties;
    const cluster = p[MessageConst.PROPERTY_CLUSTER];
    if (cluster === undefined)
      throw new MQClientError(
        `create reply message fail, requestMessage error, property[${MessageConst.PROPERTY_CLUSTER}] is null.`,
      );
    const reply = new Message({ topic: MixAll.getReplyTopic(cluster), body });
    reply.properties[MessageConst.PROPERTY_MESSAGE_TYPE] = MixAll.REPLY_MESSAGE_FLAG;
    for (const name of [
      MessageConst.PROPERTY_CORRELATION_ID,
      MessageConst.PROPERTY_MESSAGE_REPLY_TO_CLIENT,
      MessageConst.PROPERTY_MESSAGE_TTL,
    ]) {
      const v = p[name];
      if (v !== undefined) reply.properties[name] = v;
    }
    return reply;
  },

  /** The client id a request wants its reply sent to (REPLY_TO_CLIENT), if it is a request. */
  getReplyToClient(msg: Message): string | undefined {
    return msg.properties[MessageConst.PROPERTY_MESSAGE_REPLY_TO_CLIENT];
  },
};
