import { parseLenientJson } from '../../common/lenient-json.js';
import { componentLogger } from '../../common/logger.js';
import { MixAll, PermName } from '../../common/message-const.js';
import { decodeHeartbeatData, decodeSubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';
import { asObject } from '../../remoting/protocol/body/json-fields.js';
import { decodeUnregisterClientRequestHeader } from '../../remoting/protocol/header/unregister-client-request-header.js';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { ResponseCode } from '../../remoting/response-code.js';
import type { BrokerContext } from '../broker-context.js';
import type { ClientChannelInfo } from '../client/client-channel-info.js';
import { compileSql92, SqlFilterError } from '../filter/sql92/index.js';

const log = componentLogger('client-manage');

/** ClientManageProcessor: HEART_BEAT, UNREGISTER_CLIENT and CHECK_CLIENT_CONFIG. */
export class ClientManageProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  readonly process = (request: RemotingCommand, channel: RemotingChannel): RemotingCommand => {
    switch (request.code) {
      case RequestCode.HEART_BEAT:
        return this.heartBeat(request, channel);
      case RequestCode.UNREGISTER_CLIENT:
        return this.unregisterClient(request, channel);
      default:
        return this.checkClientConfig(request);
    }
  };

  /**
   * CHECK_CLIENT_CONFIG (CheckClientRequestBody): TAG subscriptions are always fine; others need
   * enablePropertyFilter, and SQL92 ones must compile. Without a body 4.9.8 fails with a NullPointerException; this answers the same
   * SYSTEM_ERROR with a readable remark.
   */
  private checkClientConfig(request: RemotingCommand): RemotingCommand {
    if (!request.body || request.body.length === 0) {
      return request.createResponse(
        ResponseCode.SYSTEM_ERROR,
        'CHECK_CLIENT_CONFIG without a CheckClientRequestBody',
      );
    }
    const o = asObject(parseLenientJson(request.body), 'checkClientRequestBody');
    const sub =
      o.subscriptionData === undefined || o.subscriptionData === null
        ? undefined
        : decodeSubscriptionData(o.subscriptionData);
    if (sub && sub.expressionType !== 'TAG' && !this.ctx.brokerConfig.enablePropertyFilter) {
      return request.createResponse(
        ResponseCode.SYSTEM_ERROR,
        `The broker does not support consumer to filter message by ${sub.expressionType}`,
      );
    }
    if (sub && sub.expressionType === 'SQL92') {
      // as 4.9.8: the expression is compiled, and its error (with the position) is the remark
      try {
        compileSql92(sub.subString);
      } catch (err) {
        if (!(err instanceof SqlFilterError)) throw err;
        return request.createResponse(ResponseCode.SUBSCRIPTION_PARSE_FAILED, err.message);
      }
    }
    return request.createResponse(ResponseCode.SUCCESS, null);
  }

  private channelInfo(
    request: RemotingCommand,
    channel: RemotingChannel,
    clientId: string,
  ): ClientChannelInfo {
    return {
      channel,
      clientId,
      language: request.language,
      version: request.version,
      lastUpdateTimestamp: Date.now(),
    };
  }

  private heartBeat(request: RemotingCommand, channel: RemotingChannel): RemotingCommand {
    const hb = decodeHeartbeatData(request.body);
    const info = this.channelInfo(request, channel, hb.clientID);
    for (const cd of hb.consumerDataSet) {
      const sgc = this.ctx.subscriptionGroupManager.findSubscriptionGroupConfig(cd.groupName);
      let notify = true;
      if (sgc) {
        notify = sgc.notifyConsumerIdsChangedEnable;
        const topicSysFlag = cd.unitMode ? 0x2 : 0;
        this.ctx.topicConfigManager.createTopicInSendMessageBackMethod(
          MixAll.getRetryTopic(cd.groupName),
          sgc.retryQueueNums,
          PermName.PERM_WRITE | PermName.PERM_READ,
          topicSysFlag,
        );
      }
      const changed = this.ctx.consumerManager.registerConsumer(
        cd.groupName,
        { ...info },
        cd.consumeType,
        cd.messageModel,
        cd.consumeFromWhere,
        cd.subscriptionDataSet,
        notify && this.ctx.brokerConfig.notifyConsumerIdsChangedEnable,
      );
      if (changed)
        log.info(
          { group: cd.groupName, clientId: hb.clientID, remote: channel.remoteAddress },
          'registerConsumer info changed',
        );
    }
    for (const pd of hb.producerDataSet) this.ctx.producerManager.registerProducer(pd.groupName, { ...info });
    return request.createResponse(ResponseCode.SUCCESS, null);
  }

  private unregisterClient(request: RemotingCommand, channel: RemotingChannel): RemotingCommand {
    const h = decodeUnregisterClientRequestHeader(request.extFields);
    if (h.producerGroup) this.ctx.producerManager.unregisterProducer(h.producerGroup, channel);
    if (h.consumerGroup) {
      const sgc = this.ctx.subscriptionGroupManager.findSubscriptionGroupConfig(h.consumerGroup);
      const notify =
        (sgc?.notifyConsumerIdsChangedEnable ?? true) && this.ctx.brokerConfig.notifyConsumerIdsChangedEnable;
      this.ctx.consumerManager.unregisterConsumer(h.consumerGroup, channel, notify);
    }
    return request.createResponse(ResponseCode.SUCCESS, null);
  }
}
