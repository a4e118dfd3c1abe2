import { encodeConsumeStats, type OffsetWrapper } from '../../remoting/protocol/body/consume-stats.js';
import type { MessageQueue } from '../../remoting/protocol/body/message-queue.js';
import { encodeResetOffsetBody } from '../../remoting/protocol/body/reset-offset-body.js';
import { encodeTopicStatsTable, type TopicOffset } from '../../remoting/protocol/body/topic-stats-table.js';
import { decodeCloneGroupOffsetRequestHeader } from '../../remoting/protocol/header/clone-group-offset-request-header.js';
import { decodeGetConsumeStatsInBrokerHeader } from '../../remoting/protocol/header/get-consume-stats-in-broker-header.js';
import { decodeGetConsumeStatsRequestHeader } from '../../remoting/protocol/header/get-consume-stats-request-header.js';
import { decodeGetEarliestMsgStoretimeRequestHeader } from '../../remoting/protocol/header/get-earliest-msg-storetime-request-header.js';
import { decodeGetMaxOffsetRequestHeader } from '../../remoting/protocol/header/get-max-offset-request-header.js';
import { decodeGetMinOffsetRequestHeader } from '../../remoting/protocol/header/get-min-offset-request-header.js';
import { decodeGetTopicStatsInfoRequestHeader } from '../../remoting/protocol/header/get-topic-stats-info-request-header.js';
import {
  decodeResetOffsetRequestHeader,
  encodeResetOffsetRequestHeader,
} from '../../remoting/protocol/header/reset-offset-request-header.js';
import { decodeSearchOffsetRequestHeader } from '../../remoting/protocol/header/search-offset-request-header.js';
import { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { ResponseCode } from '../../remoting/response-code.js';
import type { BrokerContext } from '../broker-context.js';
import { AdminHandlerTable } from './admin-handler.js';

/**
 * The offset and statistics half of 4.9.8's AdminBrokerProcessor: offsets by queue and by time, topic
 * and consume stats, all consumer offsets, and INVOKE_BROKER_TO_RESET_OFFSET (Broker2Client.resetOffset).
 */
export class AdminOffsetProcessor {
  private readonly handlers = new AdminHandlerTable();

  constructor(private readonly ctx: BrokerContext) {
    const R = RequestCode;
    const h = this.handlers;
    h.set(R.GET_TOPIC_STATS_INFO, (r) => this.getTopicStatsInfo(r));
    h.set(R.GET_CONSUME_STATS, (r) => this.getConsumeStats(r));
    h.set(R.INVOKE_BROKER_TO_RESET_OFFSET, (r) => this.resetOffset(r));
    h.set(R.GET_BROKER_CONSUME_STATS, (r) => this.getBrokerConsumeStats(r));
    h.set(R.CLONE_GROUP_OFFSET, (r) => this.cloneGroupOffset(r));
    h.set(R.GET_ALL_CONSUMER_OFFSET, (r) =>
      r.createResponse(
        ResponseCode.SUCCESS,
        null,
        undefined,
        Buffer.from(this.ctx.consumerOffsetManager.encode()),
      ),
    );
    h.set(R.GET_MAX_OFFSET, (r) => {
      const q = decodeGetMaxOffsetRequestHeader(r.extFields);
      return r.createResponse(ResponseCode.SUCCESS, null, {
        offset: this.ctx.messageStore.getMaxOffsetInQueue(q.topic, q.queueId),
      });
    });
    h.set(R.GET_MIN_OFFSET, (r) => {
      const q = decodeGetMinOffsetRequestHeader(r.extFields);
      return r.createResponse(ResponseCode.SUCCESS, null, {
        offset: this.ctx.messageStore.getMinOffsetInQueue(q.topic, q.queueId),
      });
    });
    h.set(R.SEARCH_OFFSET_BY_TIMESTAMP, async (r) => {
      const q = decodeSearchOffsetRequestHeader(r.extFields);
      const offset = await this.ctx.messageStore.getOffsetInQueueByTime(q.topic, q.queueId, q.timestamp);
      return r.createResponse(ResponseCode.SUCCESS, null, { offset });
    });
    h.set(R.GET_EARLIEST_MSG_STORETIME, async (r) => {
      const q = decodeGetEarliestMsgStoretimeRequestHeader(r.extFields);
      const timestamp = await this.ctx.messageStore.getEarliestMessageTime(q.topic, q.queueId);
      return r.createResponse(ResponseCode.SUCCESS, null, { timestamp });
    });
  }

  get codes(): number[] {
    return this.handlers.codes;
  }

  readonly process = this.handlers.dispatch;

  private async getTopicStatsInfo(request: RemotingCommand): Promise<RemotingCommand> {
    const h = decodeGetTopicStatsInfoRequestHeader(request.extFields);
    const tc = this.ctx.topicConfigManager.selectTopicConfig(h.topic);
    if (!tc) return request.createResponse(ResponseCode.TOPIC_NOT_EXIST, `topic[${h.topic}] not exist`);
    const store = this.ctx.messageStore;
    const table: Array<[MessageQueue, TopicOffset]> = [];
    for (let i = 0; i < tc.writeQueueNums; i++) {
      const min = Math.max(0, store.getMinOffsetInQueue(h.topic, i));
      const max = Math.max(0, store.getMaxOffsetInQueue(h.topic, i));
      const lastUpdateTimestamp = max > 0 ? await store.getMessageStoreTimeStamp(h.topic, i, max - 1) : 0;
      table.push([
        { topic: h.topic, brokerName: this.ctx.brokerConfig.brokerName, queueId: i },
        { minOffset: min, maxOffset: max, lastUpdateTimestamp },
      ]);
    }
    return request.createResponse(
      ResponseCode.SUCCESS,
      null,
      undefined,
      encodeTopicStatsTable({ offsetTable: table }),
    );
  }

  private async getConsumeStats(request: RemotingCommand): Promise<RemotingCommand> {
    const h = decodeGetConsumeStatsRequestHeader(request.extFields);
    const topics =
      h.topic && h.topic.trim() !== ''
        ? new Set([h.topic])
        : this.ctx.consumerOffsetManager.whichTopicByConsumer(h.consumerGroup);
    const table: Array<[MessageQueue, OffsetWrapper]> = [];
    let consumeTps = 0;
    for (const topic of topics) {
      const rows = await this.offsetRows(h.consumerGroup, topic, false, false);
      if (!rows) continue;
      table.push(...rows);
      // as 4.9.8: the group's pull rate over the last minute, summed over the topics that count
      consumeTps += this.groupGetTps(h.consumerGroup, topic);
    }
    return request.createResponse(
      ResponseCode.SUCCESS,
      null,
      undefined,
      encodeConsumeStats({ offsetTable: table, consumeTps }),
    );
  }

  /**
   * One topic's OffsetWrappers for a group, or undefined when RocketMQ leaves the topic out (no such
   * topic; the group has subscriptions but not this one; an order-only query and an unordered topic).
   * GET_CONSUME_STATS counts read queues, GET_BROKER_CONSUME_STATS write queues, as 4.9.8 does.
   */
  private async offsetRows(
    group: string,
    topic: string,
    writeQueues: boolean,
    orderOnly: boolean,
  ): Promise<Array<[MessageQueue, OffsetWrapper]> | undefined> {
    const store = this.ctx.messageStore;
    const cm = this.ctx.consumerManager;
    const tc = this.ctx.topicConfigManager.selectTopicConfig(topic);
    if (!tc || (orderOnly && !tc.order)) return undefined;
    const subCount = cm.getConsumerGroupInfo(group)?.subscriptionTable.size ?? 0;
    if (!cm.findSubscriptionData(group, topic) && subCount > 0) return undefined;
    const rows: Array<[MessageQueue, OffsetWrapper]> = [];
    const queues = writeQueues ? tc.writeQueueNums : tc.readQueueNums;
    for (let i = 0; i < queues; i++) {
      const brokerOffset = Math.max(0, store.getMaxOffsetInQueue(topic, i));
      const consumerOffset = Math.max(0, this.ctx.consumerOffsetManager.queryOffset(group, topic, i));
      let lastTimestamp = 0;
      if (consumerOffset - 1 >= 0) {
        const t = await store.getMessageStoreTimeStamp(topic, i, consumerOffset - 1);
        if (t > 0) lastTimestamp = t;
      }
      rows.push([
        { topic, brokerName: this.ctx.brokerConfig.brokerName, queueId: i },
        { brokerOffset, consumerOffset, lastTimestamp },
      ]);
    }
    return rows;
  }

  private groupGetTps(group: string, topic: string): number {
    return this.ctx.brokerStatsManager?.tpsGroupGetNums(group, topic) ?? 0;
  }

  /** GET_BROKER_CONSUME_STATS: ConsumeStatsList over every subscription group (mqadmin brokerConsumeStats). */
  private async getBrokerConsumeStats(request: RemotingCommand): Promise<RemotingCommand> {
    const { isOrder } = decodeGetConsumeStatsInBrokerHeader(request.extFields);
    const perGroup: string[] = [];
    let totalDiff = 0;
    for (const group of this.ctx.subscriptionGroupManager.subscriptionGroupTable.keys()) {
      const stats: string[] = [];
      for (const topic of this.ctx.consumerOffsetManager.whichTopicByConsumer(group)) {
        const rows = await this.offsetRows(group, topic, true, isOrder);
        if (!rows) continue;
        for (const [, w] of rows) totalDiff += w.brokerOffset - w.consumerOffset;
        stats.push(
          encodeConsumeStats({ offsetTable: rows, consumeTps: this.groupGetTps(group, topic) }).toString(),
        );
      }
      perGroup.push(`{${JSON.stringify(group)}:[${stats.join(',')}]}`);
    }
    // fastjson's ConsumeStatsList: fields in name order, Map<MessageQueue, ...> keys as objects
    const body = `{"brokerAddr":${JSON.stringify(this.ctx.brokerAddr)},"consumeStatsList":[${perGroup.join(',')}],"totalDiff":${totalDiff}}`;
    return request.createResponse(ResponseCode.SUCCESS, null, undefined, Buffer.from(body));
  }

  /** CLONE_GROUP_OFFSET: copies a group's committed offsets to another group (mqadmin cloneGroupOffset). */
  private cloneGroupOffset(request: RemotingCommand): RemotingCommand {
    const h = decodeCloneGroupOffsetRequestHeader(request.extFields);
    const com = this.ctx.consumerOffsetManager;
    const topics =
      h.topic && h.topic.trim() !== '' ? new Set([h.topic]) : com.whichTopicByConsumer(h.srcGroup);
    const cm = this.ctx.consumerManager;
    const subCount = cm.getConsumerGroupInfo(h.srcGroup)?.subscriptionTable.size ?? 0;
    for (const topic of topics) {
      if (!this.ctx.topicConfigManager.selectTopicConfig(topic)) continue;
      if (!h.offline && subCount > 0 && !cm.findSubscriptionData(h.srcGroup, topic)) continue;
      com.cloneOffset(h.srcGroup, h.destGroup, topic);
    }
    return request.createResponse(ResponseCode.SUCCESS, null);
  }

  /** Broker2Client.resetOffset: compute offsets by time, push RESET_CONSUMER_CLIENT_OFFSET to the group. */
  private async resetOffset(request: RemotingCommand): Promise<RemotingCommand> {
    const h = decodeResetOffsetRequestHeader(request.extFields);
    const tc = this.ctx.topicConfigManager.selectTopicConfig(h.topic);
    if (!tc) {
      return request.createResponse(
        ResponseCode.SYSTEM_ERROR,
        `[reset-offset] reset offset failed, no topic in this broker. topic=${h.topic}`,
      );
    }
    const table: Array<[MessageQueue, number]> = [];
    for (let i = 0; i < tc.writeQueueNums; i++) {
      const consumerOffset = this.ctx.consumerOffsetManager.queryOffset(h.group, h.topic, i);
      if (consumerOffset === -1)
        return request.createResponse(ResponseCode.SYSTEM_ERROR, `THe consumer group <${h.group}> not exist`);
      let target =
        h.timestamp === -1
          ? this.ctx.messageStore.getMaxOffsetInQueue(h.topic, i)
          : await this.ctx.messageStore.getOffsetInQueueByTime(h.topic, i, h.timestamp);
      if (target < 0) target = 0;
      table.push([
        { topic: h.topic, brokerName: this.ctx.brokerConfig.brokerName, queueId: i },
        h.isForce || target < consumerOffset ? target : consumerOffset,
      ]);
    }
    const cgi = this.ctx.consumerManager.getConsumerGroupInfo(h.group);
    if (!cgi || cgi.channelInfoTable.size === 0) {
      return request.createResponse(
        ResponseCode.CONSUMER_NOT_ONLINE,
        `Consumer not online, so can not reset offset, Group: ${h.group} Topic: ${h.topic} Timestamp: ${h.timestamp}`,
      );
    }
    const body = encodeResetOffsetBody({ offsetTable: table });
    for (const info of cgi.channelInfoTable.values()) {
      const push = RemotingCommand.request(
        RequestCode.RESET_CONSUMER_CLIENT_OFFSET,
        encodeResetOffsetRequestHeader({
          topic: h.topic,
          group: h.group,
          timestamp: h.timestamp,
          isForce: h.isForce,
        }),
        body,
      );
      push.markOneway();
      info.channel.invokeOneway(push);
    }
    return request.createResponse(ResponseCode.SUCCESS, null, undefined, body);
  }
}
