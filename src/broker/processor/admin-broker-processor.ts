import { applyConfig, ConfigError, configToProperties } from '../../common/config.js';
import { componentLogger } from '../../common/logger.js';
import { TopicValidator } from '../../common/message-const.js';
import { formatPropertiesText, parsePropertiesText } from '../../common/properties-file.js';
import { RemotingCommandError } from '../../remoting/custom-header.js';
import {
  type Connection,
  encodeConsumerConnection,
  encodeProducerConnection,
} from '../../remoting/protocol/body/connection.js';
import { encodeGroupList } from '../../remoting/protocol/body/group-list.js';
import { encodeKVTable } from '../../remoting/protocol/body/kv-table.js';
import {
  decodeLockBatchRequestBody,
  encodeLockBatchResponseBody,
} from '../../remoting/protocol/body/lock-batch-body.js';
import { decodeSubscriptionGroupConfig } from '../../remoting/protocol/body/subscription-group-config.js';
import { encodeTopicList } from '../../remoting/protocol/body/topic-list.js';
import { decodeCreateTopicRequestHeader } from '../../remoting/protocol/header/create-topic-request-header.js';
import { decodeDeleteSubscriptionGroupRequestHeader } from '../../remoting/protocol/header/delete-subscription-group-request-header.js';
import { decodeDeleteTopicRequestHeader } from '../../remoting/protocol/header/delete-topic-request-header.js';
import { decodeGetConsumerConnectionListRequestHeader } from '../../remoting/protocol/header/get-consumer-connection-list-request-header.js';
import { decodeGetProducerConnectionListRequestHeader } from '../../remoting/protocol/header/get-producer-connection-list-request-header.js';
import { decodeQueryTopicConsumeByWhoRequestHeader } from '../../remoting/protocol/header/query-topic-consume-by-who-request-header.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { ResponseCode } from '../../remoting/response-code.js';
import { FIXED_BROKER_KEYS } from '../broker-config.js';
import type { BrokerContext } from '../broker-context.js';
import type { ClientChannelInfo } from '../client/client-channel-info.js';
import { RebalanceLockManager } from '../client/rebalance-lock-manager.js';
import { newTopicConfig, nextDataVersion } from '../topic/topic-config-manager.js';
import { defaultInertBrokerConfig } from './admin-config-keys.js';
import { AdminHandlerTable, successWithJsonBody } from './admin-handler.js';
import { type BrokerStats, brokerRuntimeInfo } from './broker-runtime-info.js';

const log = componentLogger('admin');

/** TopicValidator's static system topic set (the broker adds its cluster and broker-name topics). */
const SYSTEM_TOPICS = [
  TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC,
  TopicValidator.RMQ_SYS_SCHEDULE_TOPIC,
  TopicValidator.RMQ_SYS_BENCHMARK_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRACE_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
  TopicValidator.RMQ_SYS_SELF_TEST_TOPIC,
  TopicValidator.RMQ_SYS_OFFSET_MOVED_EVENT,
];

/**
 * 4.9.8's header decoding swallows a missing or unparsable field (RemotingCommand.decodeCommandCustomHeader
 * logs it and leaves the field null), and updateAndCreateTopic never reads defaultTopic, defaults
 * order to false and topicSysFlag to 0: a request without them (or with a bad topicSysFlag) succeeds.
 */
function createTopicFields(ext: Record<string, string>): Record<string, string> {
  const badSysFlag = ext.topicSysFlag !== undefined && !/^[+-]?\d{1,10}$/.test(ext.topicSysFlag);
  if (ext.defaultTopic !== undefined && ext.order !== undefined && !badSysFlag) return ext;
  const out: Record<string, string> = {
    ...ext,
    defaultTopic: ext.defaultTopic ?? '',
    order: ext.order ?? 'false',
  };
  if (badSysFlag) delete out.topicSysFlag;
  return out;
}

/**
 * AdminBrokerProcessor: topic and subscription-group administration, offsets by queue, stats, broker
 * config, reset offset. Answers as 4.9.8's AdminBrokerProcessor does, code by code.
 */
export class AdminBrokerProcessor {
  private readonly handlers = new AdminHandlerTable();
  private configVersion = { timestamp: Date.now(), counter: 0 };
  /** 4.9.8 keys CometMQ prints but does not use (admin-config-keys.ts). */
  private inertConfig = defaultInertBrokerConfig();
  private readonly lockManager = new RebalanceLockManager();

  constructor(
    private readonly ctx: BrokerContext,
    private readonly stats: BrokerStats,
  ) {
    const R = RequestCode;
    const h = this.handlers;
    h.set(R.UPDATE_AND_CREATE_TOPIC, (r) => this.updateAndCreateTopic(r));
    h.set(R.DELETE_TOPIC_IN_BROKER, (r) => this.deleteTopic(r));
    h.set(R.GET_ALL_TOPIC_CONFIG, (r) => successWithJsonBody(r, this.ctx.topicConfigManager.encode()));
    h.set(R.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, (r) => this.updateAndCreateSubscriptionGroup(r));
    h.set(R.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, (r) =>
      successWithJsonBody(r, this.ctx.subscriptionGroupManager.encode()),
    );
    h.set(R.DELETE_SUBSCRIPTIONGROUP, (r) => this.deleteSubscriptionGroup(r));
    h.set(R.GET_BROKER_RUNTIME_INFO, async (r) =>
      r.createResponse(
        ResponseCode.SUCCESS,
        null,
        undefined,
        encodeKVTable({ table: await brokerRuntimeInfo(this.ctx, this.stats) }),
      ),
    );
    h.set(R.GET_BROKER_CONFIG, (r) => this.getBrokerConfig(r));
    h.set(R.UPDATE_BROKER_CONFIG, (r) => this.updateBrokerConfig(r));
    h.set(R.GET_CONSUMER_CONNECTION_LIST, (r) => this.getConsumerConnectionList(r));
    h.set(R.GET_PRODUCER_CONNECTION_LIST, (r) => this.getProducerConnectionList(r));
    h.set(R.LOCK_BATCH_MQ, (r) => {
      const b = decodeLockBatchRequestBody(this.requireBody(r));
      const locked = this.lockManager.tryLockBatch(b.consumerGroup, b.mqSet, b.clientId);
      return r.createResponse(
        ResponseCode.SUCCESS,
        null,
        undefined,
        encodeLockBatchResponseBody({ lockOKMQSet: locked }),
      );
    });
    h.set(R.UNLOCK_BATCH_MQ, (r) => {
      const b = decodeLockBatchRequestBody(this.requireBody(r));
      this.lockManager.unlockBatch(b.consumerGroup, b.mqSet, b.clientId);
      return r.createResponse(ResponseCode.SUCCESS, null);
    });
    h.set(R.QUERY_TOPIC_CONSUME_BY_WHO, (r) => {
      const { topic } = decodeQueryTopicConsumeByWhoRequestHeader(r.extFields);
      const groups = this.ctx.consumerManager.queryTopicConsumeByWho(topic);
      for (const g of this.ctx.consumerOffsetManager.whichGroupByTopic(topic)) groups.add(g);
      return r.createResponse(
        ResponseCode.SUCCESS,
        null,
        undefined,
        encodeGroupList({ groupList: [...groups] }),
      );
    });
    h.set(R.GET_SYSTEM_TOPIC_LIST_FROM_BROKER, (r) => {
      const topics = new Set([...SYSTEM_TOPICS, ...this.ctx.topicConfigManager.systemTopics]);
      return r.createResponse(
        ResponseCode.SUCCESS,
        null,
        undefined,
        encodeTopicList({ topicList: [...topics] }),
      );
    });
  }

  private requireBody(r: RemotingCommand): Buffer {
    if (!r.body || r.body.length === 0) throw new RemotingCommandError(`request ${r.code} needs a body`);
    return r.body;
  }

  get codes(): number[] {
    return this.handlers.codes;
  }

  readonly process = this.handlers.dispatch;

  private slaveRefusal(request: RemotingCommand): RemotingCommand | undefined {
    if (!this.ctx.isSlave()) return undefined;
    return request.createResponse(
      ResponseCode.SYSTEM_ERROR,
      "Can't modify topic or subscription group from slave broker, please execute it from master broker.",
    );
  }

  private async updateAndCreateTopic(request: RemotingCommand): Promise<RemotingCommand> {
    const refusal = this.slaveRefusal(request);
    if (refusal) return refusal;
    const h = decodeCreateTopicRequestHeader(createTopicFields(request.extFields));
    const invalid = TopicValidator.validateTopic(h.topic);
    if (invalid) return request.createResponse(ResponseCode.SYSTEM_ERROR, invalid);
    if (TopicValidator.isSystemTopic(h.topic)) {
      return request.createResponse(
        ResponseCode.SYSTEM_ERROR,
        `The topic[${h.topic}] is conflict with system topic.`,
      );
    }
    const tc = newTopicConfig(h.topic, {
      readQueueNums: h.readQueueNums,
      writeQueueNums: h.writeQueueNums,
      perm: h.perm,
      topicFilterType: h.topicFilterType === 'MULTI_TAG' ? 'MULTI_TAG' : 'SINGLE_TAG',
      topicSysFlag: h.topicSysFlag ?? 0,
      order: h.order,
    });
    this.ctx.topicConfigManager.updateTopicConfig(tc);
    // 4.9.8 persists topics.json before it answers: a topic acknowledged survives a kill right after
    await this.ctx.topicConfigManager.persist();
    this.ctx.registerBrokerAll();
    // 4.9.8 sets the code but never clears createResponseCommand's placeholder remark
    return request.createResponse(ResponseCode.SUCCESS, 'not set any response code');
  }

  private async deleteTopic(request: RemotingCommand): Promise<RemotingCommand> {
    const refusal = this.slaveRefusal(request);
    if (refusal) return refusal;
    const h = decodeDeleteTopicRequestHeader(request.extFields);
    const invalid = TopicValidator.validateTopic(h.topic);
    if (invalid) return request.createResponse(ResponseCode.SYSTEM_ERROR, invalid);
    if (TopicValidator.isSystemTopic(h.topic)) {
      return request.createResponse(
        ResponseCode.SYSTEM_ERROR,
        `The topic[${h.topic}] is conflict with system topic.`,
      );
    }
    this.ctx.topicConfigManager.deleteTopicConfig(h.topic);
    await this.ctx.topicConfigManager.persist();
    await this.ctx.messageStore.deleteTopics([h.topic]);
    this.ctx.registerBrokerAll();
    return request.createResponse(ResponseCode.SUCCESS, null);
  }

  private async updateAndCreateSubscriptionGroup(request: RemotingCommand): Promise<RemotingCommand> {
    const refusal = this.slaveRefusal(request);
    if (refusal) return refusal;
    // 4.9.8 decodes the body unchecked: without one it fails (NullPointerException, SYSTEM_ERROR)
    if (!request.body || request.body.length === 0) {
      return request.createResponse(
        ResponseCode.SYSTEM_ERROR,
        'UPDATE_AND_CREATE_SUBSCRIPTIONGROUP without a SubscriptionGroupConfig body',
      );
    }
    this.ctx.subscriptionGroupManager.updateSubscriptionGroupConfig(
      decodeSubscriptionGroupConfig(request.body),
    );
    // persisted before the answer, as 4.9.8 does
    await this.ctx.subscriptionGroupManager.persist();
    return request.createResponse(ResponseCode.SUCCESS, null);
  }

  private async deleteSubscriptionGroup(request: RemotingCommand): Promise<RemotingCommand> {
    const refusal = this.slaveRefusal(request);
    if (refusal) return refusal;
    const h = decodeDeleteSubscriptionGroupRequestHeader(request.extFields);
    this.ctx.subscriptionGroupManager.deleteSubscriptionGroupConfig(h.groupName);
    if (h.removeOffset) this.ctx.consumerOffsetManager.removeOffset(h.groupName);
    await this.ctx.subscriptionGroupManager.persist();
    return request.createResponse(ResponseCode.SUCCESS, null);
  }

  private allConfigs(): Record<string, string> {
    const all = {
      ...configToProperties(this.inertConfig),
      ...configToProperties(this.ctx.brokerConfig),
      ...configToProperties(this.ctx.storeConfig),
    };
    // MixAll.object2Properties leaves null fields out: a master's haMasterAddress is null in 4.9.8
    if (all.haMasterAddress === '') delete all.haMasterAddress;
    return all;
  }

  private getBrokerConfig(request: RemotingCommand): RemotingCommand {
    const body = Buffer.from(formatPropertiesText(this.allConfigs()));
    return request.createResponse(
      ResponseCode.SUCCESS,
      null,
      // DataVersion as fastjson writes it: fields sorted by name
      {
        version: JSON.stringify({
          counter: this.configVersion.counter,
          timestamp: this.configVersion.timestamp,
        }),
      },
      body,
    );
  }

  private updateBrokerConfig(request: RemotingCommand): RemotingCommand {
    if (!request.body) return request.createResponse(ResponseCode.SUCCESS, null);
    let entries: ReturnType<typeof parsePropertiesText>;
    try {
      entries = parsePropertiesText(request.body.toString('utf8'), 'UPDATE_BROKER_CONFIG');
    } catch {
      return request.createResponse(ResponseCode.SYSTEM_ERROR, 'string2Properties error');
    }
    const black = new Set([...FIXED_BROKER_KEYS, ...this.ctx.brokerConfig.configBlackList.split(';')]);
    if (entries.some((e) => black.has(e.key))) {
      return request.createResponse(ResponseCode.NO_PERMISSION, 'Can not update config in black list.');
    }
    try {
      const b = applyConfig(this.ctx.brokerConfig, entries);
      const s = applyConfig(this.ctx.storeConfig, entries);
      const inert = applyConfig(this.inertConfig, entries);
      Object.assign(this.ctx.brokerConfig, b);
      Object.assign(this.ctx.storeConfig, s);
      this.inertConfig = inert;
    } catch (err) {
      if (err instanceof ConfigError) return request.createResponse(ResponseCode.SYSTEM_ERROR, err.message);
      throw err;
    }
    log.info({ keys: entries.map((e) => e.key) }, 'broker config updated');
    this.configVersion = nextDataVersion(this.configVersion);
    if (entries.some((e) => e.key === 'brokerPermission')) {
      this.ctx.topicConfigManager.dataVersion = nextDataVersion(this.ctx.topicConfigManager.dataVersion);
      this.ctx.registerBrokerAll();
    }
    return request.createResponse(ResponseCode.SUCCESS, null);
  }

  private getConsumerConnectionList(request: RemotingCommand): RemotingCommand {
    const h = decodeGetConsumerConnectionListRequestHeader(request.extFields);
    const cgi = this.ctx.consumerManager.getConsumerGroupInfo(h.consumerGroup);
    if (!cgi)
      return request.createResponse(
        ResponseCode.CONSUMER_NOT_ONLINE,
        `the consumer group[${h.consumerGroup}] not online`,
      );
    const body = encodeConsumerConnection({
      connectionSet: [...cgi.channelInfoTable.values()].map(toConnection),
      subscriptionTable: Object.fromEntries(cgi.subscriptionTable),
      consumeType: cgi.consumeType,
      messageModel: cgi.messageModel,
      consumeFromWhere: cgi.consumeFromWhere,
    });
    return request.createResponse(ResponseCode.SUCCESS, null, undefined, body);
  }

  private getProducerConnectionList(request: RemotingCommand): RemotingCommand {
    const h = decodeGetProducerConnectionListRequestHeader(request.extFields);
    const channels = this.ctx.producerManager.groupChannelTable.get(h.producerGroup);
    if (!channels)
      return request.createResponse(
        ResponseCode.SYSTEM_ERROR,
        `the producer group[${h.producerGroup}] not exist`,
      );
    const body = encodeProducerConnection({ connectionSet: [...channels.values()].map(toConnection) });
    return request.createResponse(ResponseCode.SUCCESS, null, undefined, body);
  }
}

function toConnection(info: ClientChannelInfo): Connection {
  return {
    clientId: info.clientId,
    clientAddr: info.channel.remoteAddress,
    language: info.language,
    version: info.version,
  };
}
