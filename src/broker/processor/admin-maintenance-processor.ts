import { toJson } from '../../common/lenient-json.js';
import { componentLogger } from '../../common/logger.js';
import { TopicValidator } from '../../common/message-const.js';
import { decodeOffsetMsgId } from '../../common/message-id.js';
import { RemotingCommandError } from '../../remoting/custom-header.js';
import { RemotingTimeoutError } from '../../remoting/errors.js';
import {
  decodeMessageQueueMap,
  encodeMessageQueueMap,
  parseBody,
} from '../../remoting/protocol/body/message-queue.js';
import { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { ResponseCode } from '../../remoting/response-code.js';
import { CQ_STORE_UNIT_SIZE } from '../../store/message-store-config.js';
import type { BrokerContext } from '../broker-context.js';
import { viewBrokerStatsData } from '../stats/view-broker-stats-data.js';
import { resumeCheckHalfMessage } from '../transaction/resume-check-half-message.js';
import { AdminHandlerTable } from './admin-handler.js';
import { queryConsumeQueue } from './query-consume-queue.js';

const log = componentLogger('admin');

/** Broker2Client.callClient's invokeSync timeout. */
const CALL_CLIENT_TIMEOUT_MS = 10_000;
/** MQVersion.Version.V3_1_8_SNAPSHOT.ordinal(): older clients cannot answer a forwarded call. */
const V3_1_8_SNAPSHOT = 62;
/** Long.MAX_VALUE as fastjson writes it (QUERY_CORRECTION_OFFSET's "no correction" marker). */
const LONG_MAX = 9223372036854775807n;

function required(ext: Record<string, string>, ...names: string[]): void {
  for (const n of names) {
    // 4.9.8's @CFNotNull check: "the custom field <x> is null" (RemotingCommandException, SYSTEM_ERROR)
    if (ext[n] === undefined) throw new RemotingCommandError(`the custom field <${n}> is null`);
  }
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** UtilAll.formatDate(date, "yyyy-MM-dd#HH:mm:ss:SSS") in the local zone, as QueueTimeSpan's *Str getters. */
export function formatTimeSpanDate(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}#` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}:${pad(d.getMilliseconds(), 3)}`
  );
}

/**
 * The AdminBrokerProcessor codes of 4.9.8 that CometMQ added later: consume time span, correction
 * offsets, the store maintenance triggers (CLEAN_EXPIRED_CONSUMEQUEUE, DELETE_EXPIRED_COMMITLOG,
 * CLEAN_UNUSED_TOPIC) and the calls forwarded to one consumer (GET_CONSUMER_RUNNING_INFO,
 * CONSUME_MESSAGE_DIRECTLY: AdminBrokerProcessor.callConsumer + Broker2Client.callClient).
 */
export class AdminMaintenanceProcessor {
  private readonly handlers = new AdminHandlerTable();

  constructor(private readonly ctx: BrokerContext) {
    const R = RequestCode;
    const h = this.handlers;
    h.set(R.QUERY_CONSUME_TIME_SPAN, (r) => this.queryConsumeTimeSpan(r));
    h.set(R.QUERY_CORRECTION_OFFSET, (r) => this.queryCorrectionOffset(r));
    h.set(R.CLEAN_EXPIRED_CONSUMEQUEUE, async (r) => {
      log.warn('invoke cleanExpiredConsumeQueue start.');
      await this.cleanExpiredConsumeQueue();
      log.warn('invoke cleanExpiredConsumeQueue end.');
      return r.createResponse(ResponseCode.SUCCESS, null);
    });
    h.set(R.DELETE_EXPIRED_COMMITLOG, (r) => {
      log.warn('invoke deleteExpiredCommitLog start.');
      this.ctx.messageStore.executeDeleteFilesManually();
      log.warn('invoke deleteExpiredCommitLog end.');
      return r.createResponse(ResponseCode.SUCCESS, null);
    });
    h.set(R.CLEAN_UNUSED_TOPIC, async (r) => {
      log.warn('invoke cleanUnusedTopic start.');
      await this.ctx.messageStore.cleanUnusedTopic(
        new Set(this.ctx.topicConfigManager.topicConfigTable.keys()),
      );
      log.warn('invoke cleanUnusedTopic end.');
      return r.createResponse(ResponseCode.SUCCESS, null);
    });
    h.set(R.GET_CONSUMER_RUNNING_INFO, (r) => {
      required(r.extFields, 'consumerGroup', 'clientId');
      return this.callConsumer(R.GET_CONSUMER_RUNNING_INFO, r, r.body);
    });
    h.set(R.CONSUME_MESSAGE_DIRECTLY, (r) => this.consumeMessageDirectly(r));
    h.set(R.INVOKE_BROKER_TO_GET_CONSUMER_STATUS, (r) => this.getConsumerStatus(r));
    h.set(R.VIEW_BROKER_STATS_DATA, (r) => viewBrokerStatsData(this.ctx.brokerStatsManager, r));
    h.set(R.QUERY_CONSUME_QUEUE, (r) => queryConsumeQueue(this.ctx, r));
    h.set(R.RESUME_CHECK_HALF_MESSAGE, (r) => resumeCheckHalfMessage(this.ctx, r));
  }

  /**
   * INVOKE_BROKER_TO_GET_CONSUMER_STATUS (Broker2Client.getConsumeStatus): GET_CONSUMER_STATUS_FROM_CLIENT
   * to each member of the group (or only clientAddr's client id), 5 s each; a client that fails or
   * answers otherwise is left out. GetConsumerStatusBody {consumerTable: {clientId: {mq: offset}}}.
   */
  private async getConsumerStatus(request: RemotingCommand): Promise<RemotingCommand> {
    required(request.extFields, 'topic', 'group');
    const { topic, group, clientAddr } = request.extFields as Record<string, string>;
    const cgi = this.ctx.consumerManager.getConsumerGroupInfo(group ?? '');
    // 4.9.8 dereferences the group unchecked (NullPointerException) and refuses an empty one
    if (!cgi) throw new Error(`no consumer group ${group}`);
    if (cgi.channelInfoTable.size === 0)
      return request.createResponse(
        ResponseCode.SYSTEM_ERROR,
        `No Any Consumer online in the consumer group: [${group}]`,
      );
    const only = clientAddr === undefined || clientAddr.trim() === '' ? undefined : clientAddr;
    const parts: string[] = [];
    for (const info of cgi.channelInfoTable.values()) {
      if (only !== undefined && only !== info.clientId) continue;
      try {
        const answer = await info.channel.invoke(
          RemotingCommand.request(RequestCode.GET_CONSUMER_STATUS_FROM_CLIENT, { topic, group }),
          5000,
        );
        if (answer.code === ResponseCode.SUCCESS && answer.body) {
          const table = decodeMessageQueueMap(parseBody(answer.body), 'messageQueueTable', (v) => Number(v));
          parts.push(`${JSON.stringify(info.clientId)}:${encodeMessageQueueMap(table, (v) => String(v))}`);
        }
      } catch (err) {
        log.warn({ err, topic, group, clientId: info.clientId }, 'get consumer status failed');
      }
      if (only !== undefined) break;
    }
    const body = Buffer.from(`{"consumerTable":{${parts.join(',')}},"messageQueueTable":{}}`);
    return request.createResponse(ResponseCode.SUCCESS, null, undefined, body);
  }

  get codes(): number[] {
    return this.handlers.codes;
  }

  readonly process = this.handlers.dispatch;

  /** QUERY_CONSUME_TIME_SPAN: QueryConsumeTimeSpanBody over the topic's write queues (mqadmin consumerProgress). */
  private async queryConsumeTimeSpan(request: RemotingCommand): Promise<RemotingCommand> {
    // 4.9.8 leaves a missing group null: the key "topic@null" has no offsets; a missing topic fails
    required(request.extFields, 'topic');
    const topic = request.extFields.topic ?? '';
    const group = request.extFields.group ?? 'null';
    const tc = this.ctx.topicConfigManager.selectTopicConfig(topic);
    if (!tc) return request.createResponse(ResponseCode.TOPIC_NOT_EXIST, `topic[${topic}] not exist`);
    const store = this.ctx.messageStore;
    const spans: object[] = [];
    for (let i = 0; i < tc.writeQueueNums; i++) {
      const minTime = await store.getEarliestMessageTime(topic, i);
      const max = store.getMaxOffsetInQueue(topic, i);
      const maxTime = await store.getMessageStoreTimeStamp(topic, i, max - 1);
      const consumerOffset = this.ctx.consumerOffsetManager.queryOffset(group, topic, i);
      const consumeTime =
        consumerOffset > 0 ? await store.getMessageStoreTimeStamp(topic, i, consumerOffset - 1) : minTime;
      // 4.9.8 leaves delayTime 0 when the group has caught up (or the queue is empty)
      let delayTime = 0;
      if (consumerOffset < max)
        delayTime = Date.now() - (await store.getMessageStoreTimeStamp(topic, i, consumerOffset));
      // QueueTimeSpan as fastjson writes it: getters sorted by name, the *Str ones included
      spans.push({
        consumeTimeStamp: consumeTime,
        consumeTimeStampStr: formatTimeSpanDate(consumeTime),
        delayTime,
        maxTimeStamp: maxTime,
        maxTimeStampStr: formatTimeSpanDate(maxTime),
        messageQueue: { brokerName: this.ctx.brokerConfig.brokerName, queueId: i, topic },
        minTimeStamp: minTime,
        minTimeStampStr: formatTimeSpanDate(minTime),
      });
    }
    const body = Buffer.from(toJson({ consumeTimeSpanSet: spans }));
    return request.createResponse(ResponseCode.SUCCESS, null, undefined, body);
  }

  /**
   * QUERY_CORRECTION_OFFSET (ConsumerOffsetManager.queryMinOffsetInAllGroup): per queue, the least
   * offset any other group committed (still above the queue's min offset); Long.MAX_VALUE where
   * compareGroup is behind it. 4.9.8 removes the filterGroups' offsets from its table while doing
   * this (it iterates a keySet view); CometMQ only leaves them out of the minimum.
   */
  private queryCorrectionOffset(request: RemotingCommand): RemotingCommand {
    // as 4.9.8: a missing compareGroup compares with nothing; a missing topic fails
    required(request.extFields, 'topic');
    const { topic, compareGroup, filterGroups } = request.extFields;
    const skip = new Set((filterGroups ?? '').trim() === '' ? [] : (filterGroups ?? '').split(','));
    const store = this.ctx.messageStore;
    const min = new Map<number, number>();
    for (const [key, table] of this.ctx.consumerOffsetManager.offsetTable) {
      const at = key.indexOf('@');
      if (at < 0 || key.slice(0, at) !== topic || skip.has(key.slice(at + 1))) continue;
      for (const [queueId, offset] of table) {
        if (offset < store.getMinOffsetInQueue(topic, queueId)) continue;
        const prev = min.get(queueId);
        min.set(queueId, prev === undefined ? offset : Math.min(prev, offset));
      }
    }
    const out: Record<string, number | bigint> = {};
    for (const [q, o] of min) out[String(q)] = o;
    const compare =
      compareGroup === undefined
        ? undefined
        : this.ctx.consumerOffsetManager.queryOffsetTable(compareGroup, topic ?? '');
    for (const [q, o] of compare ?? []) {
      const cur = min.get(q);
      // 4.9.8 unboxes a missing entry: NullPointerException, answered SYSTEM_ERROR
      if (cur === undefined) throw new Error(`no correction offset for queue ${q}`);
      out[String(q)] = cur > o ? LONG_MAX : cur;
    }
    const body = Buffer.from(toJson({ correctionOffsets: out }));
    return request.createResponse(ResponseCode.SUCCESS, null, undefined, body);
  }

  /**
   * DefaultMessageStore.cleanExpiredConsumerQueue: a consume queue whose last entry lies before the
   * commit log's min offset points at nothing any more. CometMQ drops a topic's queues only when all
   * of them are expired (the store deletes whole topics); a partly expired topic keeps its queues.
   */
  private async cleanExpiredConsumeQueue(): Promise<void> {
    const store = this.ctx.messageStore;
    const minPhy = store.getMinPhyOffset();
    const perTopic = new Map<string, boolean>();
    for (const cq of store.consumeQueues()) {
      if (cq.topic === TopicValidator.RMQ_SYS_SCHEDULE_TOPIC) continue;
      const max = cq.getMaxOffsetInQueue();
      let expired = false;
      if (max > 0) {
        const last = cq.readEntries(max - 1, 1);
        if (last && last.length >= CQ_STORE_UNIT_SIZE) {
          const end = Number(last.readBigInt64BE(0)) + last.readInt32BE(8);
          expired = end < minPhy;
        }
      }
      perTopic.set(cq.topic, (perTopic.get(cq.topic) ?? true) && expired);
    }
    const gone = [...perTopic].filter(([, all]) => all).map(([t]) => t);
    if (gone.length > 0) {
      log.info({ topics: gone }, 'cleanExpiredConsumeQueue: every queue expired');
      await store.deleteTopics(gone);
    }
  }

  /** CONSUME_MESSAGE_DIRECTLY: the stored message (by offset message id) goes along as the body. */
  private async consumeMessageDirectly(request: RemotingCommand): Promise<RemotingCommand> {
    // only consumerGroup is @CFNotNull; a missing msgId fails decoding (a Java NullPointerException)
    required(request.extFields, 'consumerGroup');
    const ext = { ...request.extFields, brokerName: this.ctx.brokerConfig.brokerName };
    if (request.extFields.msgId === undefined) throw new Error('CONSUME_MESSAGE_DIRECTLY without a msgId');
    const { offset } = decodeOffsetMsgId(request.extFields.msgId);
    const buf = await this.ctx.messageStore.lookMessageByOffset(offset);
    // 4.9.8 reads the result unchecked: an unknown offset is a NullPointerException (SYSTEM_ERROR)
    if (!buf) throw new Error(`no message at commit log offset ${offset}`);
    return this.callConsumer(RequestCode.CONSUME_MESSAGE_DIRECTLY, request, buf, ext);
  }

  /** AdminBrokerProcessor.callConsumer: the same ext fields and body, a new request, on the client's channel. */
  private async callConsumer(
    code: number,
    request: RemotingCommand,
    body: Buffer | null,
    ext: Record<string, string> = request.extFields,
  ): Promise<RemotingCommand> {
    const group = ext.consumerGroup ?? 'null';
    // String.format of a null clientId (CONSUME_MESSAGE_DIRECTLY's is @CFNullable)
    const clientId = ext.clientId ?? 'null';
    const info = this.ctx.consumerManager.findChannel(group, clientId);
    if (!info)
      return request.createResponse(
        ResponseCode.SYSTEM_ERROR,
        `The Consumer <${group}> <${clientId}> not online`,
      );
    if (info.version < V3_1_8_SNAPSHOT)
      return request.createResponse(
        ResponseCode.SYSTEM_ERROR,
        `The Consumer <${clientId}> Version <${info.version}> too low to finish, please upgrade it to V3_1_8_SNAPSHOT`,
      );
    const forward = RemotingCommand.request(code, ext, body);
    try {
      const answer = await info.channel.invoke(forward, CALL_CLIENT_TIMEOUT_MS);
      // the client's answer goes back as is, under the admin's opaque
      return request.createResponse(answer.code, answer.remark, answer.extFields, answer.body);
    } catch (err) {
      const desc = err instanceof Error ? err.message : String(err);
      if (err instanceof RemotingTimeoutError)
        return request.createResponse(
          ResponseCode.CONSUME_MSG_TIMEOUT,
          `consumer <${group}> <${clientId}> Timeout: ${desc}`,
        );
      return request.createResponse(
        ResponseCode.SYSTEM_ERROR,
        `invoke consumer <${group}> <${clientId}> Exception: ${desc}`,
      );
    }
  }
}
