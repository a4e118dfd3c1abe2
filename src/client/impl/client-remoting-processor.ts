import { inflateSync } from 'node:zlib';
import { componentLogger } from '../../common/logger.js';
import { MessageConst, MessageSysFlag } from '../../common/message-const.js';
import { decodeMessage } from '../../common/message-decoder.js';
import { decodeProperties } from '../../common/message-properties.js';
import { encodeMessageQueueMap } from '../../remoting/protocol/body/message-queue.js';
import { decodeResetOffsetBody } from '../../remoting/protocol/body/reset-offset-body.js';
import { decodeGetConsumerStatusRequestHeader } from '../../remoting/protocol/header/get-consumer-status-request-header.js';
import { decodeResetOffsetRequestHeader } from '../../remoting/protocol/header/reset-offset-request-header.js';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { ResponseCode } from '../../remoting/response-code.js';
import {
  encodeConsumeMessageDirectlyResult,
  encodeConsumerRunningInfo,
  RunningInfoProps,
} from '../consumer/consumer-running-info.js';
import { MessageExt } from '../message.js';
import {
  decodeCheckTransactionStateRequestHeader,
  decodeConsumeMessageDirectlyRequestHeader,
  decodeGetConsumerRunningInfoRequestHeader,
  decodeReplyMessageRequestHeader,
} from './client-protocol.js';
import type { MQClientInstance } from './mq-client-instance.js';

const log = componentLogger('client');

/** MQVersion.getVersionDesc of the version we announce (4.9.8). */
const CLIENT_VERSION_DESC = 'V4_9_8';

/**
 * The requests a broker sends to a client (client/.../impl/ClientRemotingProcessor.java), on the
 * connection the client opened: group membership changes, transaction check-backs, replies to
 * requests, and the admin requests a broker forwards (consumer status, consume one message).
 */
export function registerClientProcessors(instance: MQClientInstance): void {
  const remoting = instance.remoting;

  remoting.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (req) => {
    log.debug({ group: req.extFields.consumerGroup }, 'consumer ids changed, rebalance now');
    instance.rebalanceImmediately();
    return null;
  });

  // oneway: the producer answers later with END_TRANSACTION on this same connection
  remoting.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, (req, channel) => {
    checkTransactionState(instance, req, channel);
    return null;
  });

  remoting.registerProcessor(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT, (req) => {
    try {
      const reply = decodeReplyMessage(req);
      const correlationId = reply.properties[MessageConst.PROPERTY_CORRELATION_ID] ?? '';
      if (!instance.requestFutures.putResponse(correlationId, reply))
        log.debug({ correlationId, from: reply.bornHost }, 'reply matches no waiting request');
      return req.createResponse(ResponseCode.SUCCESS, null);
    } catch (err) {
      log.warn({ err }, 'cannot process a reply message');
      return req.createResponse(ResponseCode.SYSTEM_ERROR, 'process reply message fail');
    }
  });

  // oneway from the broker (Broker2Client.resetOffset): nothing to answer, as ClientRemotingProcessor
  remoting.registerProcessor(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, (req) => {
    try {
      const h = decodeResetOffsetRequestHeader(req.extFields);
      const consumer = instance.selectConsumer(h.group);
      if (!consumer?.resetOffset || !req.body) return null;
      const { offsetTable } = decodeResetOffsetBody(req.body);
      consumer
        .resetOffset(h.topic, offsetTable)
        .catch((err: unknown) => log.warn({ err, group: h.group }, 'reset offset failed'));
    } catch (err) {
      log.warn({ err }, 'resetOffset: bad request');
    }
    return null;
  });

  // Broker2Client.getConsumeStatus: GetConsumerStatusBody with this client's offsets of the topic
  remoting.registerProcessor(RequestCode.GET_CONSUMER_STATUS_FROM_CLIENT, async (req) => {
    const h = decodeGetConsumerStatusRequestHeader(req.extFields);
    const consumer = instance.selectConsumer(h.group);
    const table = consumer?.consumerStatus ? await consumer.consumerStatus(h.topic) : [];
    const body = `{"consumerTable":{},"messageQueueTable":${encodeMessageQueueMap(table, (v) => String(v))}}`;
    return req.createResponse(ResponseCode.SUCCESS, null, undefined, Buffer.from(body));
  });

  remoting.registerProcessor(RequestCode.GET_CONSUMER_RUNNING_INFO, async (req) => {
    const h = decodeGetConsumerRunningInfoRequestHeader(req.extFields);
    const consumer = instance.selectConsumer(h.consumerGroup);
    if (!consumer?.consumerRunningInfo) return notHere(req, h.consumerGroup);
    const info = await consumer.consumerRunningInfo();
    info.properties[RunningInfoProps.PROP_NAMESERVER_ADDR] = instance.namesrvAddrs
      .map((a) => `${a};`)
      .join('');
    info.properties[RunningInfoProps.PROP_CONSUME_TYPE] = consumer.consumeType;
    info.properties[RunningInfoProps.PROP_CLIENT_VERSION] = CLIENT_VERSION_DESC;
    if (h.jstackEnable) info.jstack = `node ${process.version} pid ${process.pid}: no thread dump in Node.js`;
    return req.createResponse(ResponseCode.SUCCESS, null, undefined, encodeConsumerRunningInfo(info));
  });

  remoting.registerProcessor(RequestCode.CONSUME_MESSAGE_DIRECTLY, async (req) => {
    const h = decodeConsumeMessageDirectlyRequestHeader(req.extFields);
    const consumer = instance.selectConsumer(h.consumerGroup);
    if (!consumer?.consumeMessageDirectly || !req.body) return notHere(req, h.consumerGroup);
    const msg = MessageExt.fromStored(decodeMessage(req.body), h.brokerName ?? '');
    const result = await consumer.consumeMessageDirectly(msg, h.brokerName ?? '');
    return req.createResponse(
      ResponseCode.SUCCESS,
      null,
      undefined,
      encodeConsumeMessageDirectlyResult(result),
    );
  });
}

function notHere(req: RemotingCommand, group: string): RemotingCommand {
  return req.createResponse(
    ResponseCode.SYSTEM_ERROR,
    `The Consumer Group <${group}> not exist in this consumer`,
  );
}

/** ClientRemotingProcessor.checkTransactionState: hands the half message to its group's producer. */
function checkTransactionState(
  instance: MQClientInstance,
  req: RemotingCommand,
  channel: RemotingChannel,
): void {
  try {
    const header = decodeCheckTransactionStateRequestHeader(req.extFields);
    if (!req.body) {
      log.warn('checkTransactionState without a message');
      return;
    }
    const msg = MessageExt.fromStored(decodeMessage(req.body), '');
    const group = msg.properties[MessageConst.PROPERTY_PRODUCER_GROUP];
    const producer = group === undefined ? undefined : instance.selectProducer(group);
    if (!producer?.checkTransactionState) {
      log.debug({ group }, 'checkTransactionState: no transaction producer of that group here');
      return;
    }
    producer.checkTransactionState(channel, msg, header);
  } catch (err) {
    log.warn({ err }, 'checkTransactionState: bad request');
  }
}

/** receiveReplyMessage: the reply as a MessageExt, body inflated, arrival time stamped. */
function decodeReplyMessage(req: RemotingCommand): MessageExt {
  const h = decodeReplyMessageRequestHeader(req.extFields);
  let body = req.body ?? Buffer.alloc(0);
  if ((h.sysFlag & MessageSysFlag.COMPRESSED_FLAG) !== 0) body = inflateSync(body);
  const properties = decodeProperties(h.properties);
  properties[MessageConst.PROPERTY_REPLY_MESSAGE_ARRIVE_TIME] = String(Date.now());
  return new MessageExt({
    topic: h.topic,
    body,
    flag: h.flag,
    properties,
    queueId: h.queueId,
    storeSize: 0,
    queueOffset: 0,
    sysFlag: h.sysFlag,
    bornTimestamp: h.bornTimestamp,
    bornHost: h.bornHost,
    storeTimestamp: h.storeTimestamp,
    storeHost: h.storeHost,
    offsetMsgId: '',
    commitLogOffset: 0,
    bodyCRC: 0,
    reconsumeTimes: h.reconsumeTimes,
    preparedTransactionOffset: 0,
    brokerName: '',
  });
}
