import { componentLogger } from '../../common/logger.js';
import { MessageConst, MixAll, PermName, TopicValidator } from '../../common/message-const.js';
import { decodeMessage } from '../../common/message-decoder.js';
import { encodeSocketAddress } from '../../common/message-id.js';
import { encodeProperties } from '../../common/message-properties.js';
import { tagsString2tagsCode } from '../../common/tag-hash.js';
import { decodeConsumerSendMsgBackRequestHeader } from '../../remoting/protocol/header/consumer-send-msg-back-request-header.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { ResponseCode } from '../../remoting/response-code.js';
import { type BrokerContext, FAQ, suggestTodo } from '../broker-context.js';

const log = componentLogger('send-back');

/** DLQ_NUMS_PER_GROUP */
const DLQ_NUMS_PER_GROUP = 1;

/**
 * CONSUMER_SEND_MSG_BACK, as SendMessageProcessor.asyncConsumerSendMsgBack of 4.9.8: the message a
 * consumer failed on is re-stored in %RETRY%group with a delay level (3 + reconsumeTimes unless the
 * consumer chose one), or in %DLQ%group once it was retried maxReconsumeTimes (or delayLevel < 0).
 * The delay itself is the store's (SCHEDULE_TOPIC_XXXX) and the schedule service's business.
 */
export class ConsumerSendMsgBackProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  readonly process = async (request: RemotingCommand): Promise<RemotingCommand> => {
    const h = decodeConsumerSendMsgBackRequestHeader(withoutBadMaxReconsumeTimes(request.extFields));
    const b = this.ctx.brokerConfig;
    const sgc = this.ctx.subscriptionGroupManager.findSubscriptionGroupConfig(h.group);
    if (!sgc) {
      return request.createResponse(
        ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
        `subscription group not exist, ${h.group} ${suggestTodo(FAQ.SUBSCRIPTION_GROUP_NOT_EXIST)}`,
      );
    }
    if (!PermName.isWriteable(b.brokerPermission)) {
      return request.createResponse(
        ResponseCode.NO_PERMISSION,
        `the broker[${b.brokerIP1}] sending message is forbidden`,
      );
    }
    if (sgc.retryQueueNums <= 0) return request.createResponse(ResponseCode.SUCCESS, null);

    let newTopic = MixAll.getRetryTopic(h.group);
    let queueId = Math.floor(Math.random() * 99999999) % sgc.retryQueueNums;
    const topicSysFlag = h.unitMode ? 0x2 : 0;
    const tcm = this.ctx.topicConfigManager;
    let tc = tcm.createTopicInSendMessageBackMethod(
      newTopic,
      sgc.retryQueueNums,
      PermName.PERM_WRITE | PermName.PERM_READ,
      topicSysFlag,
    );
    if (!PermName.isWriteable(tc.perm)) {
      return request.createResponse(
        ResponseCode.NO_PERMISSION,
        `the topic[${newTopic}] sending message is forbidden`,
      );
    }
    const stored = await this.ctx.messageStore.lookMessageByOffset(h.offset);
    if (!stored)
      return request.createResponse(ResponseCode.SYSTEM_ERROR, `look message by offset failed, ${h.offset}`);
    // as lookMessageByOffset: the body as stored (still compressed when it was), sysFlag kept
    const msg = decodeMessage(stored, 0, { decompressBody: false });
    const props = { ...msg.properties };
    if (props[MessageConst.PROPERTY_RETRY_TOPIC] === undefined)
      props[MessageConst.PROPERTY_RETRY_TOPIC] = msg.topic;
    props[MessageConst.PROPERTY_WAIT_STORE_MSG_OK] = 'false';

    let delayLevel = h.delayLevel;
    const maxReconsumeTimes = h.maxReconsumeTimes ?? sgc.retryMaxTimes;
    if (msg.reconsumeTimes >= maxReconsumeTimes || delayLevel < 0) {
      newTopic = MixAll.getDLQTopic(h.group);
      queueId = Math.floor(Math.random() * 99999999) % DLQ_NUMS_PER_GROUP;
      tc = tcm.createTopicInSendMessageBackMethod(
        newTopic,
        DLQ_NUMS_PER_GROUP,
        PermName.PERM_WRITE | PermName.PERM_READ,
        0,
      );
      // as 4.9.8 (msgExt.setDelayTimeLevel(0)): the dead letter carries DELAY=0
      props[MessageConst.PROPERTY_DELAY_TIME_LEVEL] = '0';
    } else {
      if (delayLevel === 0) delayLevel = 3 + msg.reconsumeTimes;
      props[MessageConst.PROPERTY_DELAY_TIME_LEVEL] = String(delayLevel);
    }
    if (!props[MessageConst.PROPERTY_ORIGIN_MESSAGE_ID])
      props[MessageConst.PROPERTY_ORIGIN_MESSAGE_ID] = h.originMsgId || msg.msgId;

    const r = await this.ctx.messageStore.putMessage({
      topic: newTopic,
      queueId,
      flag: msg.flag,
      body: msg.body,
      propertiesString: encodeProperties(props),
      tagsCode: tagsString2tagsCode(props[MessageConst.PROPERTY_TAGS]),
      sysFlag: msg.sysFlag,
      bornTimestamp: msg.bornTimestamp,
      bornHost: encodeSocketAddress(msg.bornHost),
      storeHost: encodeSocketAddress(msg.storeHost),
      reconsumeTimes: msg.reconsumeTimes + 1,
      preparedTransactionOffset: 0,
    });
    if (r.status === 'PUT_OK') {
      // 4.9.8: SNDBCK_PUT_NUMS under the message's original topic (RETRY_TOPIC when it has one); a
      // retry parked in SCHEDULE_TOPIC_XXXX also counts as a put to it
      const stats = this.ctx.brokerStatsManager;
      if (stats) {
        if (delayLevel > 0 && newTopic !== MixAll.getDLQTopic(h.group)) {
          stats.incTopicPutNums(TopicValidator.RMQ_SYS_SCHEDULE_TOPIC);
          stats.incTopicPutSize(TopicValidator.RMQ_SYS_SCHEDULE_TOPIC, r.result?.wroteBytes ?? 0);
        }
        stats.incSendBackNums(h.group, msg.properties[MessageConst.PROPERTY_RETRY_TOPIC] ?? msg.topic);
      }
      return request.createResponse(ResponseCode.SUCCESS, null);
    }
    log.warn({ group: h.group, status: r.status }, 'send back failed');
    return request.createResponse(ResponseCode.SYSTEM_ERROR, r.status);
  };
}

/**
 * 4.9.8's header decoding reads a maxReconsumeTimes that is not a number as null, and null means the
 * subscription group's retryMaxTimes.
 */
function withoutBadMaxReconsumeTimes(ext: Record<string, string>): Record<string, string> {
  const v = ext.maxReconsumeTimes;
  if (v === undefined || /^[+-]?\d{1,10}$/.test(v)) return ext;
  const { maxReconsumeTimes: _bad, ...rest } = ext;
  return rest;
}
