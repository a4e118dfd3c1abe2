import { componentLogger } from '../../common/logger.js';
import type { MessageExtBrokerInner } from '../../common/message.js';
import { MessageConst } from '../../common/message-const.js';
import { encodeSocketAddress } from '../../common/message-id.js';
import { getPropertyFromString, putPropertyToString } from '../../common/message-properties.js';
import { tagsString2tagsCode } from '../../common/tag-hash.js';
import {
  decodeSendMessageRequestHeader,
  decodeSendMessageRequestHeaderV2,
  type SendMessageRequestHeader,
} from '../../remoting/protocol/header/send-message-request-header.js';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { ResponseCode } from '../../remoting/response-code.js';
import { type BrokerContext, FAQ, suggestTodo } from '../broker-context.js';

const log = componentLogger('reply');

/** Broker2Client.callClient's timeout. */
const CALL_CLIENT_TIMEOUT_MS = 10_000;

/**
 * SEND_REPLY_MESSAGE (324) / SEND_REPLY_MESSAGE_V2 (325), as 4.9.8's ReplyMessageProcessor: the reply
 * is pushed at once to the requesting client (PUSH_REPLY_MESSAGE_TO_CLIENT, 326, a request the broker
 * sends on that client's producer connection, found by REPLY_TO_CLIENT = its clientId), and stored in
 * its topic ({cluster}_REPLY_TOPIC, made at start) when storeReplyMessageEnable. The answer is SUCCESS
 * when the push succeeded, SYSTEM_ERROR with the reason otherwise; the store result only fills
 * msgId / queueOffset.
 */
export class ReplyMessageProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  readonly process = async (request: RemotingCommand, channel: RemotingChannel): Promise<RemotingCommand> => {
    const h =
      request.code === RequestCode.SEND_REPLY_MESSAGE_V2
        ? decodeSendMessageRequestHeaderV2(request.extFields)
        : decodeSendMessageRequestHeader(request.extFields);
    const b = this.ctx.brokerConfig;
    const ext: Record<string, string | number> = {
      MSG_REGION: b.regionId,
      TRACE_ON: b.traceOn ? 'true' : 'false',
    };
    if (this.ctx.messageStore.now() < b.startAcceptSendRequestTimeStamp) {
      return request.createResponse(
        ResponseCode.SYSTEM_ERROR,
        `broker unable to service, until ${new Date(b.startAcceptSendRequestTimeStamp).toISOString()}`,
        ext,
      );
    }
    const tcm = this.ctx.topicConfigManager;
    let tc = tcm.selectTopicConfig(h.topic);
    if (!tc) {
      tc =
        tcm.createTopicInSendMessageMethod(
          h.topic,
          h.defaultTopic,
          channel.remoteAddress,
          h.defaultTopicQueueNums,
          0,
        ) ?? undefined;
      if (!tc) {
        return request.createResponse(
          ResponseCode.TOPIC_NOT_EXIST,
          `topic[${h.topic}] not exist, apply first please!${suggestTodo(FAQ.APPLY_TOPIC_URL)}`,
          ext,
        );
      }
    }
    let queueId = h.queueId;
    if (queueId < 0) queueId = Math.floor(Math.random() * 99999999) % tc.writeQueueNums;

    const push = await this.pushReplyMessage(channel, h, request.body);
    let code: number = ResponseCode.SYSTEM_ERROR;
    let remark: string | null = push;
    if (push === null) {
      code = ResponseCode.SUCCESS;
      // "set to zero to avoid client decoding exception"
      Object.assign(ext, { msgId: '0', queueId, queueOffset: 0 });
    }
    if (b.storeReplyMessageEnable) {
      const props = h.properties ?? '';
      const msg: MessageExtBrokerInner = {
        topic: h.topic,
        queueId,
        flag: h.flag,
        body: request.body ?? Buffer.alloc(0),
        propertiesString: props,
        tagsCode: tagsString2tagsCode(getPropertyFromString(props, MessageConst.PROPERTY_TAGS)),
        sysFlag: h.sysFlag,
        bornTimestamp: h.bornTimestamp,
        bornHost: encodeSocketAddress(channel.remoteAddress),
        reconsumeTimes: h.reconsumeTimes ?? 0,
        preparedTransactionOffset: 0,
      };
      const r = await this.ctx.messageStore.putMessage(msg);
      const ok = ['PUT_OK', 'FLUSH_DISK_TIMEOUT', 'FLUSH_SLAVE_TIMEOUT', 'SLAVE_NOT_AVAILABLE'].includes(
        r.status,
      );
      if (ok && r.result)
        Object.assign(ext, { msgId: r.result.msgId, queueId, queueOffset: r.result.queueOffset });
      else if (!ok) log.warn({ status: r.status, topic: h.topic }, 'store reply message failed');
    }
    if (code === ResponseCode.SUCCESS) remark = null;
    return request.createResponse(code, remark, ext);
  };

  /** pushReplyMessage: null when the client took it, else the remark to answer with. */
  private async pushReplyMessage(
    channel: RemotingChannel,
    h: SendMessageRequestHeader,
    body: Buffer | null,
  ): Promise<string | null> {
    const props = h.properties ?? '';
    const senderId = getPropertyFromString(props, MessageConst.PROPERTY_MESSAGE_REPLY_TO_CLIENT);
    if (senderId === undefined) {
      return `reply message properties[${MessageConst.PROPERTY_MESSAGE_REPLY_TO_CLIENT}] is null`;
    }
    const target = this.findChannel(senderId);
    if (!target) return `push reply message fail, channel of <${senderId}> not found.`;
    const withPushTime = putPropertyToString(
      props,
      MessageConst.PROPERTY_PUSH_REPLY_TIME,
      String(Date.now()),
    );
    const req = RemotingCommand.request(
      RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT,
      {
        bornHost: channel.remoteAddress,
        storeHost: this.ctx.brokerAddr,
        storeTimestamp: Date.now(),
        producerGroup: h.producerGroup,
        topic: h.topic,
        defaultTopic: h.defaultTopic,
        defaultTopicQueueNums: h.defaultTopicQueueNums,
        queueId: h.queueId,
        sysFlag: h.sysFlag,
        bornTimestamp: h.bornTimestamp,
        flag: h.flag,
        properties: withPushTime,
        reconsumeTimes: h.reconsumeTimes ?? 0,
        unitMode: h.unitMode ?? false,
      },
      body,
    );
    try {
      const res = await target.invoke(req, CALL_CLIENT_TIMEOUT_MS);
      if (res.code === ResponseCode.SUCCESS) return null;
      log.warn({ senderId, remark: res.remark }, 'push reply message returned failure');
    } catch (err) {
      log.warn({ senderId, err }, 'push reply message failed');
    }
    return `push reply message to ${senderId}fail.`;
  }

  /** ProducerManager.findChannel(clientId): the producer connection registered with that clientId. */
  private findChannel(clientId: string): RemotingChannel | undefined {
    for (const channels of this.ctx.producerManager.groupChannelTable.values()) {
      for (const info of channels.values())
        if (info.clientId === clientId && info.channel.isOpen) return info.channel;
    }
    return undefined;
  }
}
