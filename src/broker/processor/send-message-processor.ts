import { componentLogger } from '../../common/logger.js';
import type { MessageExtBrokerInner } from '../../common/message.js';
import {
  MessageConst,
  MessageSysFlag,
  MixAll,
  PermName,
  TopicValidator,
} from '../../common/message-const.js';
import { decodeBatchMessages } from '../../common/message-decoder.js';
import { encodeSocketAddress } from '../../common/message-id.js';
import { getPropertyFromString } from '../../common/message-properties.js';
import { tagsString2tagsCode } from '../../common/tag-hash.js';
import {
  decodeSendMessageRequestHeader,
  decodeSendMessageRequestHeaderV2,
  type PreDecodedSendCommand,
  type SendMessageRequestHeader,
} from '../../remoting/protocol/header/send-message-request-header.js';
import { SendMessageResponseCommand } from '../../remoting/protocol/header/send-message-response-header.js';
import type { TopicConfig } from '../../remoting/protocol/route/route-data.js';
import type { RemotingChannel, Responder } from '../../remoting/remoting-channel.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { ResponseCode } from '../../remoting/response-code.js';
import type { PutMessageResult } from '../../store/put-message-status.js';
import { type BrokerContext, FAQ, suggestTodo } from '../broker-context.js';
import { parseHalfMessageInner } from '../transaction/transactional-message-bridge.js';
import { SendBackPressure } from './send-back-pressure.js';
import { SendPropertyScan } from './send-property-scan.js';

const log = componentLogger('send');

const PROPERTY_SEP = '\u0002';

/**
 * SendMessageProcessor: SEND_MESSAGE, SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE, as RocketMQ 4.9.8 answers
 * them (topic checks and auto-creation in msgCheck, retry/DLQ rerouting, put result mapping). This is
 * the hot path: one header decode, one properties append, one store call per request; nothing else
 * allocates per message beyond the response.
 */
export class SendMessageProcessor {
  private readonly bornHosts = new WeakMap<RemotingChannel, Buffer>();
  /** One scan at a time: sends are processed one after another on the event loop. */
  private readonly propertyScan = new SendPropertyScan();
  readonly backPressure: SendBackPressure;
  /** Set by the controller: timer messages diverted to the timing wheel, [code, remark] to refuse. */
  timerMessageHook: ((msg: MessageExtBrokerInner) => [number, string] | undefined) | undefined;
  /** Messages stored (BrokerStats msgPutTotal). */
  putCount = 0;

  constructor(private readonly ctx: BrokerContext) {
    this.backPressure = new SendBackPressure(ctx);
  }

  readonly process = (
    request: RemotingCommand,
    channel: RemotingChannel,
    responder?: Responder,
  ): RemotingCommand | null | Promise<RemotingCommand> => {
    // decoded already: by the JSON header's fast path, or by the network thread (networkWorkerEnable)
    let header = (request as PreDecodedSendCommand).sendHeader;
    if (header === undefined) {
      const v1 = request.code === RequestCode.SEND_MESSAGE;
      // 4.9.8 decodes a missing topic as null and refuses it in msgCheck, MSG_REGION/TRACE_ON set
      if (request.extFields[v1 ? 'topic' : 'b'] === undefined)
        return this.fail(request, ResponseCode.SYSTEM_ERROR, 'The specified topic is blank.');
      header = v1
        ? decodeSendMessageRequestHeader(request.extFields)
        : decodeSendMessageRequestHeaderV2(request.extFields);
    }
    const b = this.ctx.brokerConfig;
    const fail = (code: number, remark: string): RemotingCommand => this.fail(request, code, remark);

    const busy = this.backPressure.check();
    if (busy) return fail(ResponseCode.SYSTEM_BUSY, busy);
    if (this.ctx.isSlave()) {
      // as a 4.9.8 slave: its store refuses puts with SERVICE_NOT_AVAILABLE
      return fail(ResponseCode.SERVICE_NOT_AVAILABLE, serviceNotAvailableRemark());
    }
    if (
      b.startAcceptSendRequestTimeStamp > 0 &&
      this.ctx.messageStore.now() < b.startAcceptSendRequestTimeStamp
    ) {
      return fail(
        ResponseCode.SYSTEM_ERROR,
        `broker unable to service, until ${new Date(b.startAcceptSendRequestTimeStamp).toISOString()}`,
      );
    }
    const topicConfig = this.msgCheck(header, channel);
    if (Array.isArray(topicConfig)) return fail(topicConfig[0], topicConfig[1]);

    let queueId = header.queueId;
    if (queueId < 0) queueId = Math.floor(Math.random() * 99999999) % topicConfig.writeQueueNums;
    let topic = header.topic;
    if (topic.charCodeAt(0) === 37 /* % */ && topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX)) {
      const r = this.handleRetryAndDLQ(header);
      if (typeof r === 'object') return fail(r[0], r[1]);
      if (r !== topic) {
        topic = r;
        queueId = 0;
      }
    }

    let bornHost = this.bornHosts.get(channel);
    if (!bornHost) {
      bornHost = encodeSocketAddress(channel.remoteAddress);
      this.bornHosts.set(channel, bornHost);
    }
    const sent = header.properties ?? '';
    const scan = this.propertyScan;
    scan.scan(sent);
    // WAIT is dropped from the stored string, except for prepared and delayed messages
    const plain = !scan.tranMsg && !isDelayed(scan.delay, header.sysFlag);
    const cluster = b.brokerClusterName;
    const msg: MessageExtBrokerInner = {
      topic,
      queueId,
      flag: header.flag,
      body: request.body ?? EMPTY,
      propertiesString: scan.stored(sent, cluster, plain),
      tagsCode: tagsString2tagsCode(scan.tags),
      sysFlag: header.sysFlag,
      bornTimestamp: header.bornTimestamp,
      bornHost,
      reconsumeTimes: header.reconsumeTimes ?? 0,
      preparedTransactionOffset: 0,
    };

    if (scan.tranMsg) {
      if (b.rejectTransactionMessage) {
        return fail(
          ResponseCode.NO_PERMISSION,
          `the broker[${b.brokerIP1}] sending transaction message is forbidden`,
        );
      }
      // TransactionalMessageBridge.parseHalfMessageInner: stored as a half message (issue 9)
      parseHalfMessageInner(msg, scan.hasRealTopicOrQueue);
      // the store's own reading of DELAY (getDelayTimeLevel), known from the scan
      msg.delayTimeLevel = Number(scan.delay ?? 0) | 0;
    } else if (plain) {
      // 4.9.8 (asyncSendMessage) drops WAIT "to save 9 bytes"; the put still waits as it said
      const wait = scan.waitStoreMsgOK();
      if (wait !== undefined) msg.waitStoreMsgOK = wait;
      // known now: the store need not look for DELAY in the string again
      msg.delayTimeLevel = 0;
    }

    // as 4.9.8, the header's batch flag decides, not the request code: SEND_BATCH_MESSAGE without
    // batch=true stores its body as one message; its members' properties come with the batch's
    if (header.batch) {
      return this.sendBatch(request, msg, scan.stored(sent, cluster, false));
    }
    // the index's keys, known from the scan: the store need not search the string again
    msg.keys = scan.keys ?? '';
    msg.uniqKey = scan.uniqKey;
    // RocketMQ 5's timer messages (issue 9): parked in rmq_sys_wheel_timer until due, or refused
    const timerRefused = scan.timer ? this.timerMessageHook?.(msg) : undefined;
    if (timerRefused) return fail(timerRefused[0], timerRefused[1]);
    this.backPressure.begin();
    if (responder === undefined) {
      return this.ctx.messageStore.putMessage(msg).then(
        (r: PutMessageResult) => {
          this.backPressure.end();
          return this.handlePutMessageResult(r, request, queueId, storedTopic(msg));
        },
        (err: unknown) => this.putFailed(request, err),
      );
    }
    // answered through the responder: one closure per send instead of a chain of three promises
    let answered = false;
    const done = (r: PutMessageResult): void => {
      if (answered) return;
      answered = true;
      this.backPressure.end();
      let response: RemotingCommand;
      try {
        response = this.handlePutMessageResult(r, request, queueId, storedTopic(msg));
      } catch (err) {
        // runs inside the store's batch completion: a throw must not cost other sends their answer
        log.error({ err }, 'send answer failed');
        response = this.fail(request, ResponseCode.SYSTEM_ERROR, 'UNKNOWN_ERROR');
      }
      responder.respond(request, channel, response);
    };
    try {
      this.ctx.messageStore.putMessageThen(msg, done);
    } catch (err) {
      if (!answered) {
        answered = true;
        return this.putFailed(request, err);
      }
    }
    return null;
  };

  private putFailed(request: RemotingCommand, err: unknown): RemotingCommand {
    this.backPressure.end();
    log.error({ err }, 'putMessage failed');
    return this.fail(request, ResponseCode.SYSTEM_ERROR, 'UNKNOWN_ERROR');
  }

  /** Every send reply carries MSG_REGION and TRACE_ON, failures included (SendMessageProcessor). */
  private fail(request: RemotingCommand, code: number, remark: string): RemotingCommand {
    const b = this.ctx.brokerConfig;
    return request.createResponse(code, remark, {
      MSG_REGION: b.regionId,
      TRACE_ON: b.traceOn ? 'true' : 'false',
    });
  }

  /** `batchProps`: the request header's properties with CLUSTER, WAIT kept (4.9.8 strips it only from single sends). */
  private sendBatch(
    request: RemotingCommand,
    proto: MessageExtBrokerInner,
    batchProps: string,
  ): RemotingCommand | Promise<RemotingCommand> {
    if (proto.topic.length > 127) {
      return this.fail(
        request,
        ResponseCode.MESSAGE_ILLEGAL,
        `message topic length too long ${proto.topic.length}`,
      );
    }
    if (proto.topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX)) {
      return this.fail(
        request,
        ResponseCode.MESSAGE_ILLEGAL,
        `batch request does not support retry group ${proto.topic}`,
      );
    }
    let entries: ReturnType<typeof decodeBatchMessages>;
    try {
      entries = decodeBatchMessages(proto.body);
    } catch (err) {
      return this.fail(
        request,
        ResponseCode.MESSAGE_ILLEGAL,
        `the message is illegal: ${(err as Error).message}`,
      );
    }
    if (entries.length === 0) return this.fail(request, ResponseCode.MESSAGE_ILLEGAL, 'the batch is empty');
    // as 4.9.8's MessageExtBatchEncoder: every message stores its own properties followed by the
    // batch's (the request header's, e.g. WAIT, plus CLUSTER)
    const msgs: MessageExtBrokerInner[] = entries.map((e) => {
      const props = appendBatchProperties(e.propertiesString, batchProps);
      return {
        ...proto,
        flag: e.flag,
        body: e.body,
        propertiesString: props,
        tagsCode: tagsString2tagsCode(getPropertyFromString(props, 'TAGS')),
      };
    });
    this.backPressure.begin();
    return this.ctx.messageStore.putMessages(msgs).then(
      (r: PutMessageResult) => {
        this.backPressure.end();
        return this.handlePutMessageResult(r, request, proto.queueId, proto.topic);
      },
      (err: unknown) => this.putFailed(request, err),
    );
  }

  /** AbstractSendMessageProcessor.msgCheck: the topic's config, or [code, remark] on failure. */
  private msgCheck(h: SendMessageRequestHeader, channel: RemotingChannel): TopicConfig | [number, string] {
    const b = this.ctx.brokerConfig;
    const tcm = this.ctx.topicConfigManager;
    if (!PermName.isWriteable(b.brokerPermission) && tcm.isOrderTopic(h.topic)) {
      return [ResponseCode.NO_PERMISSION, `the broker[${b.brokerIP1}] sending message is forbidden`];
    }
    let tc = tcm.selectTopicConfig(h.topic);
    if (!tc) {
      const invalid = TopicValidator.validateTopic(h.topic);
      if (invalid) return [ResponseCode.SYSTEM_ERROR, invalid];
    }
    if (TopicValidator.isNotAllowedSendTopic(h.topic)) {
      return [ResponseCode.NO_PERMISSION, `Sending message to topic[${h.topic}] is forbidden.`];
    }
    if (!tc) {
      const isRetry = h.topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX);
      const topicSysFlag = h.unitMode ? (isRetry ? 0x2 : 0x1) : 0;
      log.warn({ topic: h.topic, producer: channel.remoteAddress }, 'the topic not exist');
      tc = tcm.createTopicInSendMessageMethod(
        h.topic,
        h.defaultTopic,
        channel.remoteAddress,
        h.defaultTopicQueueNums,
        topicSysFlag,
      );
      if (!tc && isRetry) {
        tc = tcm.createTopicInSendMessageBackMethod(
          h.topic,
          1,
          PermName.PERM_WRITE | PermName.PERM_READ,
          topicSysFlag,
        );
      }
      if (!tc) {
        return [
          ResponseCode.TOPIC_NOT_EXIST,
          `topic[${h.topic}] not exist, apply first please!${suggestTodo(FAQ.APPLY_TOPIC_URL)}`,
        ];
      }
    }
    if (!PermName.isWriteable(tc.perm)) {
      // 4.9.8 checks this in the store-side hook; the answer is the same NO_PERMISSION
      return [ResponseCode.NO_PERMISSION, `the topic[${h.topic}] sending message is forbidden`];
    }
    const idValid = Math.max(tc.writeQueueNums, tc.readQueueNums);
    if (h.queueId >= idValid) {
      return [
        ResponseCode.SYSTEM_ERROR,
        `request queueId[${h.queueId}] is illegal, ${topicConfigToString(tc)} Producer: ${channel.remoteAddress}`,
      ];
    }
    return tc;
  }

  /** handleRetryAndDLQ: the topic to store into, or [code, remark]. */
  private handleRetryAndDLQ(h: SendMessageRequestHeader): string | [number, string] {
    const group = h.topic.slice(MixAll.RETRY_GROUP_TOPIC_PREFIX.length);
    const sgc = this.ctx.subscriptionGroupManager.findSubscriptionGroupConfig(group);
    if (!sgc) {
      return [
        ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
        `subscription group not exist, ${group} ${suggestTodo(FAQ.SUBSCRIPTION_GROUP_NOT_EXIST)}`,
      ];
    }
    const max = h.maxReconsumeTimes ?? sgc.retryMaxTimes;
    if ((h.reconsumeTimes ?? 0) < max) return h.topic;
    const dlq = MixAll.getDLQTopic(group);
    // 4.9.8 creates the DLQ readable and writable here too (older 4.x made it write-only)
    const tc = this.ctx.topicConfigManager.createTopicInSendMessageBackMethod(
      dlq,
      1,
      PermName.PERM_WRITE | PermName.PERM_READ,
      0,
    );
    if (!tc) return [ResponseCode.SYSTEM_ERROR, `topic[${dlq}] not exist`];
    return dlq;
  }

  private handlePutMessageResult(
    r: PutMessageResult,
    request: RemotingCommand,
    queueId: number,
    statsTopic: string,
  ): RemotingCommand {
    let code: number;
    switch (r.status) {
      case 'PUT_OK':
        code = ResponseCode.SUCCESS;
        break;
      case 'FLUSH_DISK_TIMEOUT':
        code = ResponseCode.FLUSH_DISK_TIMEOUT;
        break;
      case 'FLUSH_SLAVE_TIMEOUT':
        code = ResponseCode.FLUSH_SLAVE_TIMEOUT;
        break;
      case 'SLAVE_NOT_AVAILABLE':
        code = ResponseCode.SLAVE_NOT_AVAILABLE;
        break;
      case 'CREATE_MAPEDFILE_FAILED':
        return this.fail(
          request,
          ResponseCode.SYSTEM_ERROR,
          'create mapped file failed, server is busy or broken.',
        );
      case 'MESSAGE_ILLEGAL':
      case 'PROPERTIES_SIZE_EXCEEDED':
        return this.fail(
          request,
          ResponseCode.MESSAGE_ILLEGAL,
          `the message is illegal, maybe msg body or properties length not matched. msg body length limit ${this.ctx.storeConfig.maxMessageSize}B, msg properties length limit 32KB.`,
        );
      case 'SERVICE_NOT_AVAILABLE':
        return this.fail(request, ResponseCode.SERVICE_NOT_AVAILABLE, serviceNotAvailableRemark(r.remark));
      case 'OS_PAGECACHE_BUSY':
        return this.fail(
          request,
          ResponseCode.SYSTEM_ERROR,
          '[PC_SYNCHRONIZED]broker busy, start flow control for a while',
        );
      case 'UNKNOWN_ERROR':
        return this.fail(request, ResponseCode.SYSTEM_ERROR, 'UNKNOWN_ERROR');
      default:
        return this.fail(request, ResponseCode.SYSTEM_ERROR, 'UNKNOWN_ERROR DEFAULT');
    }
    this.putCount += r.results ? r.results.length : 1;
    const stats = this.ctx.brokerStatsManager;
    if (stats) {
      // 4.9.8 (sendOK): incTopicPutNums(topic, msgNum, 1), incTopicPutSize(wroteBytes), incBrokerPutNums
      if (r.results) {
        let bytes = 0;
        for (const x of r.results) bytes += x.wroteBytes;
        stats.incTopicPut(statsTopic, r.results.length, bytes);
      } else stats.incTopicPut(statsTopic, 1, r.result!.wroteBytes);
    }
    const b = this.ctx.brokerConfig;
    if (r.results && r.results.length > 0) {
      // a batch answers with every msgId, comma-separated, and the first queue offset (CommitLog batch append)
      const msgIds = r.results.map((x) => x.msgId).join(',');
      const queueOffset = r.results[0]!.queueOffset;
      return new SendMessageResponseCommand(
        request,
        code,
        msgIds,
        queueId,
        queueOffset,
        b.regionId,
        b.traceOn,
      );
    }
    const a = r.result!;
    return new SendMessageResponseCommand(
      request,
      code,
      a.storeHostHex,
      queueId,
      a.queueOffset,
      b.regionId,
      b.traceOn,
      a.wroteOffset,
    );
  }
}

const EMPTY = Buffer.alloc(0);

function serviceNotAvailableRemark(why?: string): string {
  return (
    'service not available now. It may be caused by one of the following reasons: ' +
    `the broker's disk is full${why ? ` [${why}]` : ''}, messages are put to the slave, message store has been shut down, etc.`
  );
}

/**
 * The topic 4.9.8's send stats count a message under: CommitLog.asyncPutMessage sets a delayed
 * message's topic to SCHEDULE_TOPIC_XXXX before SendMessageProcessor reads it for the stats.
 */
function storedTopic(msg: MessageExtBrokerInner): string {
  if (msg.delayTimeLevel === 0) return msg.topic;
  const level = getPropertyFromString(msg.propertiesString, MessageConst.PROPERTY_DELAY_TIME_LEVEL);
  return isDelayed(level, msg.sysFlag) ? TopicValidator.RMQ_SYS_SCHEDULE_TOPIC : msg.topic;
}

/** CommitLog.asyncPutMessage's test for parking a message in SCHEDULE_TOPIC_XXXX (getDelayTimeLevel() > 0). */
function isDelayed(level: string | undefined, sysFlag: number): boolean {
  const tranType = sysFlag & MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;
  if (tranType !== MessageSysFlag.TRANSACTION_NOT_TYPE && tranType !== MessageSysFlag.TRANSACTION_COMMIT_TYPE)
    return false;
  return level !== undefined && Number(level) > 0;
}

/** A batch member's properties, then the batch's, with a separator between when the first lacks one. */
function appendBatchProperties(own: string, batch: string): string {
  if (own.length > 0 && batch.length > 0 && !own.endsWith(PROPERTY_SEP))
    return `${own}${PROPERTY_SEP}${batch}`;
  return own + batch;
}

/** TopicConfig.toString() as RocketMQ prints it in remarks. */
export function topicConfigToString(tc: {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicFilterType: string;
  topicSysFlag: number;
  order: boolean;
}): string {
  return `TopicConfig [topicName=${tc.topicName}, readQueueNums=${tc.readQueueNums}, writeQueueNums=${tc.writeQueueNums}, perm=${PermName.perm2String(tc.perm)}, topicFilterType=${tc.topicFilterType}, topicSysFlag=${tc.topicSysFlag}, order=${tc.order}]`;
}
