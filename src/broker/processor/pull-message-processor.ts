import { componentLogger } from '../../common/logger.js';
import { MixAll, PermName, PullSysFlag } from '../../common/message-const.js';
import { RemotingCommandError } from '../../remoting/custom-header.js';
import { buildSubscriptionData, type SubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';
import {
  decodePullMessageRequestHeader,
  type PreDecodedPullCommand,
} from '../../remoting/protocol/header/pull-message-request-header.js';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { ResponseCode } from '../../remoting/response-code.js';
import { type BrokerContext, FAQ, suggestTodo } from '../broker-context.js';
import { Sql92FilterCache } from '../filter/sql92/index.js';
import { buildPullMessageFilter, isFilterRefusal } from '../filter/sql92-message-filter.js';
import { type PullRequest, PullRequestHoldService } from '../longpolling/pull-request-hold-service.js';

const log = componentLogger('pull');

/**
 * PullMessageProcessor: PULL_MESSAGE as RocketMQ 4.9.8 answers it, with long polling through
 * PullRequestHoldService (woken by the store's dispatch) and short polling when longPollingEnable=false.
 */
export class PullMessageProcessor {
  readonly holdService: PullRequestHoldService;
  /** Messages handed out (BrokerStats msgGetTotal). */
  getCount = 0;
  /** Compiled SQL92 subscriptions per (group, topic, subVersion) (ConsumerFilterManager). */
  readonly sql92Cache = new Sql92FilterCache();

  constructor(private readonly ctx: BrokerContext) {
    this.holdService = new PullRequestHoldService((pr) => this.executeRequestWhenWakeup(pr));
  }

  readonly process = (request: RemotingCommand, channel: RemotingChannel): Promise<RemotingCommand | null> =>
    this.processRequest(request, channel, true);

  private executeRequestWhenWakeup(pr: PullRequest): void {
    this.processRequest(pr.request, pr.channel, false).then(
      (response) => {
        if (response) pr.channel.send(response);
      },
      (err: unknown) => {
        log.warn({ err }, 'pull after wakeup failed');
        pr.channel.send(pr.request.createResponse(ResponseCode.SYSTEM_ERROR, String((err as Error).message)));
      },
    );
  }

  private async processRequest(
    request: RemotingCommand,
    channel: RemotingChannel,
    brokerAllowSuspend: boolean,
  ): Promise<RemotingCommand | null> {
    const beginTimeMills = this.ctx.messageStore.now();
    // decoded already by the JSON header's fast path when every field was there
    const pre = (request as PreDecodedPullCommand).pullHeader;
    const fields = pre === undefined ? request.extFields : undefined;
    // 4.9.8 reads commitOffset, suspendTimeoutMillis and subVersion only when a flag asks for them
    // (its header decoding lets a missing field be null): absent, they fail only where used
    const lax =
      fields !== undefined &&
      (fields.commitOffset === undefined ||
        fields.suspendTimeoutMillis === undefined ||
        fields.subVersion === undefined);
    const h = pre ?? decodePullMessageRequestHeader(lax ? { ...OPTIONAL_PULL_FIELDS, ...fields } : fields!);
    const need = (field: keyof typeof OPTIONAL_PULL_FIELDS): void => {
      if (lax && fields![field] === undefined)
        throw new RemotingCommandError(`the custom field <${field}> is null`);
    };
    const b = this.ctx.brokerConfig;
    const fail = (code: number, remark: string): RemotingCommand => request.createResponse(code, remark);

    if (!PermName.isReadable(b.brokerPermission)) {
      return fail(ResponseCode.NO_PERMISSION, `the broker[${b.brokerIP1}] pulling message is forbidden`);
    }
    const sgc = this.ctx.subscriptionGroupManager.findSubscriptionGroupConfig(h.consumerGroup);
    if (!sgc) {
      return fail(
        ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
        `subscription group [${h.consumerGroup}] does not exist, ${suggestTodo(FAQ.SUBSCRIPTION_GROUP_NOT_EXIST)}`,
      );
    }
    if (!sgc.consumeEnable)
      return fail(ResponseCode.NO_PERMISSION, `subscription group no permission, ${h.consumerGroup}`);

    const hasSuspendFlag = (h.sysFlag & PullSysFlag.FLAG_SUSPEND) !== 0;
    const hasCommitOffsetFlag = (h.sysFlag & PullSysFlag.FLAG_COMMIT_OFFSET) !== 0;
    const hasSubscriptionFlag = (h.sysFlag & PullSysFlag.FLAG_SUBSCRIPTION) !== 0;
    if (hasSuspendFlag) need('suspendTimeoutMillis');
    const suspendTimeoutMillis = hasSuspendFlag ? h.suspendTimeoutMillis : 0;

    const tc = this.ctx.topicConfigManager.selectTopicConfig(h.topic);
    if (!tc) {
      return fail(
        ResponseCode.TOPIC_NOT_EXIST,
        `topic[${h.topic}] not exist, apply first please! ${suggestTodo(FAQ.APPLY_TOPIC_URL)}`,
      );
    }
    if (!PermName.isReadable(tc.perm)) {
      return fail(ResponseCode.NO_PERMISSION, `the topic[${h.topic}] pulling message is forbidden`);
    }
    if (h.queueId < 0 || h.queueId >= tc.readQueueNums) {
      return fail(
        ResponseCode.SYSTEM_ERROR,
        `queueId[${h.queueId}] is illegal, topic:[${h.topic}] topicConfig.readQueueNums:[${tc.readQueueNums}] consumer:[${channel.remoteAddress}]`,
      );
    }

    let sub: SubscriptionData | undefined;
    if (hasSubscriptionFlag) {
      try {
        sub = buildSubscriptionData(h.topic, h.subscription, h.subVersion);
        if (h.expressionType) sub.expressionType = h.expressionType;
      } catch {
        return fail(ResponseCode.SUBSCRIPTION_PARSE_FAILED, "parse the consumer's subscription failed");
      }
    } else {
      const cgi = this.ctx.consumerManager.getConsumerGroupInfo(h.consumerGroup);
      if (!cgi) {
        return fail(
          ResponseCode.SUBSCRIPTION_NOT_EXIST,
          `the consumer's group info not exist${suggestTodo(FAQ.SAME_GROUP_DIFFERENT_TOPIC)}`,
        );
      }
      if (!sgc.consumeBroadcastEnable && cgi.messageModel === 'BROADCASTING') {
        return fail(
          ResponseCode.NO_PERMISSION,
          `the consumer group[${h.consumerGroup}] can not consume by broadcast way`,
        );
      }
      sub = cgi.subscriptionTable.get(h.topic);
      if (!sub) {
        return fail(
          ResponseCode.SUBSCRIPTION_NOT_EXIST,
          `the consumer's subscription not exist${suggestTodo(FAQ.SAME_GROUP_DIFFERENT_TOPIC)}`,
        );
      }
      need('subVersion');
      if (sub.subVersion < h.subVersion) {
        return fail(ResponseCode.SUBSCRIPTION_NOT_LATEST, "the consumer's subscription not latest");
      }
    }
    if (sub.expressionType !== 'TAG' && !b.enablePropertyFilter) {
      return fail(
        ResponseCode.SYSTEM_ERROR,
        `The broker does not support consumer to filter message by ${sub.expressionType}`,
      );
    }

    const filter = buildPullMessageFilter(this.sql92Cache, h.consumerGroup, sub, hasSubscriptionFlag);
    if (isFilterRefusal(filter)) return fail(filter.code, filter.remark);
    const r = await this.ctx.messageStore.getMessage(
      h.consumerGroup,
      h.topic,
      h.queueId,
      h.queueOffset,
      h.maxMsgNums,
      undefined,
      filter,
    );

    const slave = this.ctx.isSlave();
    let suggestWhichBrokerId: number = MixAll.MASTER_ID;
    if (b.slaveReadEnable)
      suggestWhichBrokerId = r.suggestPullingFromSlave ? sgc.whichBrokerWhenConsumeSlowly : sgc.brokerId;
    const ext = {
      suggestWhichBrokerId,
      nextBeginOffset: r.nextBeginOffset,
      minOffset: r.minOffset,
      maxOffset: r.maxOffset,
    };

    let code: number;
    switch (r.status) {
      case 'FOUND':
        code = ResponseCode.SUCCESS;
        break;
      case 'MESSAGE_WAS_REMOVING':
      case 'NO_MATCHED_MESSAGE':
        code = ResponseCode.PULL_RETRY_IMMEDIATELY;
        break;
      case 'NO_MATCHED_LOGIC_QUEUE':
      case 'NO_MESSAGE_IN_QUEUE':
        code = h.queueOffset !== 0 ? ResponseCode.PULL_OFFSET_MOVED : ResponseCode.PULL_NOT_FOUND;
        if (code === ResponseCode.PULL_OFFSET_MOVED) {
          log.info(
            { topic: h.topic, queueId: h.queueId, offset: h.queueOffset, consumer: channel.remoteAddress },
            'the broker store no queue data, fix the request offset',
          );
        }
        break;
      case 'OFFSET_FOUND_NULL':
      case 'OFFSET_OVERFLOW_ONE':
        code = ResponseCode.PULL_NOT_FOUND;
        break;
      case 'OFFSET_OVERFLOW_BADLY':
      case 'OFFSET_TOO_SMALL':
        code = ResponseCode.PULL_OFFSET_MOVED;
        break;
      default:
        return fail(ResponseCode.SYSTEM_ERROR, 'store getMessage return null');
    }
    if (slave && !b.slaveReadEnable) {
      code = ResponseCode.PULL_RETRY_IMMEDIATELY;
      ext.suggestWhichBrokerId = MixAll.MASTER_ID;
    }
    // as 4.9.8: a slave that does not check offsets answers OFFSET_MOVED with RETRY_IMMEDIATELY
    if (code === ResponseCode.PULL_OFFSET_MOVED && slave && !this.ctx.storeConfig.offsetCheckInSlave) {
      code = ResponseCode.PULL_RETRY_IMMEDIATELY;
    }

    let response: RemotingCommand | null;
    // not answered with the messages (a slave refusing reads): nothing will write the leased body
    if (code !== ResponseCode.SUCCESS) r.bodyLease?.release();
    if (code === ResponseCode.SUCCESS) {
      this.getCount += r.messageCount;
      const stats = this.ctx.brokerStatsManager;
      if (stats) {
        // 4.9.8: incGroupGetNums, incGroupGetSize, incBrokerGetNums; GROUP_GET_LATENCY with transferMsgByHeap
        stats.incGroupGet(h.consumerGroup, h.topic, r.messageCount, r.bufferTotalSize);
        if (b.transferMsgByHeap)
          stats.incGroupGetLatency(
            h.consumerGroup,
            h.topic,
            h.queueId,
            this.ctx.messageStore.now() - beginTimeMills,
          );
      }
      const body = r.body ?? joinedBody(r.buffers, r.bufferTotalSize);
      response = request.createResponse(code, r.status, ext, body);
      // the channel releases the store's slab once the body is written; a copy frees it now
      if (body.buffer === r.buffers[0]!.buffer) response.bodyLease = r.bodyLease ?? null;
      else r.bodyLease?.release();
    } else if (code === ResponseCode.PULL_NOT_FOUND && brokerAllowSuspend && hasSuspendFlag) {
      const holdMs = b.longPollingEnable ? suspendTimeoutMillis : b.shortPollingTimeMills;
      this.holdService.suspendPullRequest(
        h.topic,
        h.queueId,
        { request, channel, pullFromThisOffset: h.queueOffset, filter },
        holdMs,
      );
      // a message dispatched while getMessage was reading would otherwise wait for the timeout
      const max = this.ctx.messageStore.getMaxOffsetInQueue(h.topic, h.queueId);
      if (max > h.queueOffset) this.holdService.recheck(h.topic, h.queueId, max);
      response = null;
    } else {
      response = request.createResponse(code, r.status, ext);
    }

    if (brokerAllowSuspend && hasCommitOffsetFlag && !slave) {
      need('commitOffset');
      this.ctx.consumerOffsetManager.commitOffset(
        channel.remoteAddress,
        h.consumerGroup,
        h.topic,
        h.queueId,
        h.commitOffset,
      );
    }
    return response;
  }
}

/** Stand-ins for the pull fields 4.9.8 does not require; need() refuses them where they are used. */
const OPTIONAL_PULL_FIELDS = { commitOffset: '0', suspendTimeoutMillis: '0', subVersion: '0' } as const;

/**
 * The pull body: the store hands out views of one buffer, usually back to back; then the body is a
 * view of their span, not a copy (a filter that dropped some in between forces Buffer.concat).
 */
function joinedBody(buffers: Buffer[], total: number): Buffer {
  if (buffers.length === 1) return buffers[0]!;
  const first = buffers[0]!;
  let end = first.byteOffset;
  for (const b of buffers) {
    if (b.buffer !== first.buffer || b.byteOffset !== end) return Buffer.concat(buffers, total);
    end += b.length;
  }
  return Buffer.from(first.buffer, first.byteOffset, total);
}
