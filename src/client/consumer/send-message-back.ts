import { componentLogger } from '../../common/logger.js';
import { MessageConst, MixAll } from '../../common/message-const.js';
import type { MQClientInstance } from '../impl/mq-client-instance.js';
import { Message, type MessageExt } from '../message.js';

const log = componentLogger('client.consumer');

/**
 * The message a consumer re-sends to %RETRY%group itself (DefaultMQPushConsumerImpl.sendMessageBack's
 * fallback, ConsumeMessageOrderlyService.sendMessageBack): same body, flag and properties, the original
 * topic and id kept, the reconsume counters in properties (the producer moves them into the send
 * header, where the broker reads them to decide retry or DLQ), and the delay level the broker would
 * have used (3 + reconsumeTimes). The concurrent fallback counts this retry (reconsumeTimes + 1); the
 * orderly consumer sends the count it reached, and no delay (see ConsumerSendBack.orderly).
 */
export function buildRetryMessage(
  msg: MessageExt,
  group: string,
  maxReconsumeTimes: number,
  reconsumeTimes = msg.reconsumeTimes + 1,
  delayLevel = 3 + msg.reconsumeTimes,
): Message {
  const retry = new Message({ topic: MixAll.getRetryTopic(group), body: msg.body, flag: msg.flag });
  retry.properties = { ...msg.properties };
  retry.properties[MessageConst.PROPERTY_ORIGIN_MESSAGE_ID] =
    msg.properties[MessageConst.PROPERTY_ORIGIN_MESSAGE_ID] || msg.msgId;
  retry.properties[MessageConst.PROPERTY_RETRY_TOPIC] = msg.topic;
  retry.properties[MessageConst.PROPERTY_RECONSUME_TIME] = String(reconsumeTimes);
  retry.properties[MessageConst.PROPERTY_MAX_RECONSUME_TIMES] = String(maxReconsumeTimes);
  delete retry.properties[MessageConst.PROPERTY_TRANSACTION_PREPARED];
  retry.delayTimeLevel = delayLevel;
  return retry;
}

/**
 * Hands failed messages back to the broker for a later retry (or the DLQ), for one consumer group.
 * `onRetried` runs after a message went to %RETRY%group, so the consumer can read that topic at once.
 */
export class ConsumerSendBack {
  constructor(
    private readonly instance: MQClientInstance,
    private readonly group: string,
    private readonly onRetried: () => void,
  ) {}

  /**
   * Concurrent consumption: CONSUMER_SEND_MSG_BACK to the broker that stored the message, carrying
   * maxReconsumeTimes (the broker moves the message to %DLQ%group past it); when that fails, a plain
   * send to %RETRY%group, as DefaultMQPushConsumerImpl.sendMessageBack.
   */
  async concurrently(
    msg: MessageExt,
    delayLevel: number,
    brokerName: string,
    maxReconsumeTimes: number,
  ): Promise<boolean> {
    const instance = this.instance;
    try {
      const addr = instance.findBrokerAddressInPublish(brokerName) ?? msg.storeHost;
      await instance.api.consumerSendMessageBack(
        addr,
        {
          offset: msg.commitLogOffset,
          group: this.group,
          delayLevel,
          originMsgId: msg.msgId,
          originTopic: msg.topic,
          unitMode: false,
          maxReconsumeTimes,
        },
        5000,
      );
      this.onRetried();
      return true;
    } catch (err) {
      log.debug({ err, msgId: msg.msgId }, 'send message back failed, re-sending to the retry topic');
    }
    return this.resend(buildRetryMessage(msg, this.group, maxReconsumeTimes), msg.msgId);
  }

  /**
   * Orderly consumption, once a message reached maxReconsumeTimes: a plain send to %RETRY%group with
   * RECONSUME_TIME = its count, which the broker (reconsumeTimes >= maxReconsumeTimes) stores in
   * %DLQ%group; ConsumeMessageOrderlyService.sendMessageBack does not use CONSUMER_SEND_MSG_BACK.
   * RocketMQ also sets delay level 3 + reconsumeTimes, which the 4.9.8 broker means to clear for a
   * DLQ message but keeps (it re-applies the request's properties after), so the message reaches the
   * DLQ only after that delay; it is bound for the DLQ either way, so it goes without a delay here.
   */
  orderly(msg: MessageExt, maxReconsumeTimes: number): Promise<boolean> {
    return this.resend(
      buildRetryMessage(msg, this.group, maxReconsumeTimes, msg.reconsumeTimes, 0),
      msg.msgId,
    );
  }

  private async resend(retry: Message, msgId: string): Promise<boolean> {
    try {
      const r = await this.instance.innerProducer().send(retry);
      log.debug({ msgId, queue: r?.messageQueue, offset: r?.queueOffset }, 're-sent to the retry topic');
      this.onRetried();
      return true;
    } catch (err) {
      log.warn({ err, msgId }, 'cannot hand the failed message back; consuming it again locally');
      return false;
    }
  }
}
