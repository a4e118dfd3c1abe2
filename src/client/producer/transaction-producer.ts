import { componentLogger } from '../../common/logger.js';
import { MessageConst, MessageSysFlag } from '../../common/message-const.js';
import { decodeOffsetMsgId } from '../../common/message-id.js';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { MQClientError } from '../errors.js';
import {
  type CheckTransactionStateRequestHeader,
  type EndTransactionRequestHeader,
  encodeEndTransactionRequestHeader,
} from '../impl/client-protocol.js';
import type { Message, MessageExt } from '../message.js';
import { Producer, type ProducerOptions } from './producer.js';
import type { SendResult } from './send-result.js';

const log = componentLogger('client.transaction');

/** What the local transaction came to (LocalTransactionState); UNKNOW has the broker ask again later. */
export type LocalTransactionState = 'COMMIT_MESSAGE' | 'ROLLBACK_MESSAGE' | 'UNKNOW';

/**
 * The application's side of a transaction (TransactionListener). Both are async: a plain string return
 * type would not let TypeScript check `async () => 'COMMIT_MESSAGE'` (see registerMessageListener).
 */
export interface TransactionListener {
  /** Runs the local transaction after the half message was stored; its answer commits or rolls back. */
  executeLocalTransaction(msg: Message, arg: unknown): Promise<LocalTransactionState>;
  /** The broker asks about a half message left UNKNOW (or never ended): look the transaction up. */
  checkLocalTransaction(msg: MessageExt): Promise<LocalTransactionState>;
}

export interface TransactionProducerOptions extends ProducerOptions {
  /** The listener, or give `executeLocalTransaction` and `checkLocalTransaction` directly. */
  transactionListener?: TransactionListener;
  executeLocalTransaction?: TransactionListener['executeLocalTransaction'];
  checkLocalTransaction?: TransactionListener['checkLocalTransaction'];
}

/** SendResult plus what the local transaction answered (TransactionSendResult). */
export interface TransactionSendResult extends SendResult {
  localTransactionState: LocalTransactionState;
}

const STATE_FLAG: Record<LocalTransactionState, number> = {
  COMMIT_MESSAGE: MessageSysFlag.TRANSACTION_COMMIT_TYPE,
  ROLLBACK_MESSAGE: MessageSysFlag.TRANSACTION_ROLLBACK_TYPE,
  UNKNOW: MessageSysFlag.TRANSACTION_NOT_TYPE,
};

function normalize(state: unknown): LocalTransactionState {
  return state === 'COMMIT_MESSAGE' || state === 'ROLLBACK_MESSAGE' ? state : 'UNKNOW';
}

/**
 * Transactional messages (TransactionMQProducer, DefaultMQProducerImpl.sendMessageInTransaction): a
 * half message (TRAN_MSG=true) that consumers cannot see, then the local transaction, then
 * END_TRANSACTION commit or rollback. A half message left UNKNOW is checked back by the broker
 * (CHECK_TRANSACTION_STATE, on this client's connection), answered by checkLocalTransaction.
 */
export class TransactionProducer extends Producer {
  private readonly listener: TransactionListener;

  constructor(options: TransactionProducerOptions) {
    super(options);
    const execute = options.transactionListener?.executeLocalTransaction ?? options.executeLocalTransaction;
    const check = options.transactionListener?.checkLocalTransaction ?? options.checkLocalTransaction;
    if (!execute || !check)
      throw new MQClientError(
        'TransactionListener is null: give executeLocalTransaction and checkLocalTransaction',
      );
    const l = options.transactionListener;
    this.listener = l
      ? {
          executeLocalTransaction: (m, a) => l.executeLocalTransaction(m, a),
          checkLocalTransaction: (m) => l.checkLocalTransaction(m),
        }
      : { executeLocalTransaction: execute, checkLocalTransaction: check };
  }

  override async start(): Promise<void> {
    await super.start();
    this.impl!.checkTransactionState = (channel, msg, header) => {
      this.checkTransactionState(channel, msg, header).catch((err: unknown) =>
        log.warn({ err }, 'transaction check-back failed'),
      );
    };
  }

  /**
   * Sends `msg` as a half message, runs executeLocalTransaction(msg, arg), and ends the transaction
   * with its answer (a throw counts as UNKNOW, so the broker checks back; a send stored but not flushed
   * or replicated in time rolls back). Rejects only when the half message could not be sent.
   */
  async sendMessageInTransaction(msg: Message, arg?: unknown): Promise<TransactionSendResult> {
    const impl = this.running();
    // the delay level is ignored, as RocketMQ does for transactional messages
    delete msg.properties[MessageConst.PROPERTY_DELAY_TIME_LEVEL];
    msg.properties[MessageConst.PROPERTY_TRANSACTION_PREPARED] = 'true';
    msg.properties[MessageConst.PROPERTY_PRODUCER_GROUP] = this.group;
    let sendResult: SendResult;
    try {
      sendResult = (await impl.send(msg))!;
    } catch (err) {
      throw new MQClientError(`send message Exception: ${(err as Error).message}`, { cause: err });
    }
    let state: LocalTransactionState = 'UNKNOW';
    let localError: unknown;
    if (sendResult.status === 'SEND_OK') {
      if (sendResult.transactionId !== undefined) msg.properties.__transactionId__ = sendResult.transactionId;
      try {
        state = normalize(await this.listener.executeLocalTransaction(msg, arg));
      } catch (err) {
        log.debug({ err, msgId: sendResult.msgId }, 'executeLocalTransaction threw');
        localError = err;
      }
    } else {
      state = 'ROLLBACK_MESSAGE';
    }
    try {
      await this.endTransaction(sendResult, state, localError);
    } catch (err) {
      log.warn({ err, state }, 'local transaction ended, but end broker transaction failed');
    }
    return { ...sendResult, localTransactionState: state };
  }

  /** END_TRANSACTION, oneway, to the master that stored the half message (endTransaction). */
  private async endTransaction(
    r: SendResult,
    state: LocalTransactionState,
    localError: unknown,
  ): Promise<void> {
    const impl = this.running();
    const addr = impl.instance.findBrokerAddressInPublish(r.messageQueue.brokerName);
    if (!addr) throw new MQClientError(`The broker[${r.messageQueue.brokerName}] not exist`);
    const header: EndTransactionRequestHeader = {
      producerGroup: this.group,
      tranStateTableOffset: r.queueOffset,
      commitLogOffset: decodeOffsetMsgId(r.offsetMsgId || r.msgId).offset,
      commitOrRollback: STATE_FLAG[state],
      fromTransactionCheck: false,
      msgId: r.msgId,
    };
    if (r.transactionId !== undefined) header.transactionId = r.transactionId;
    const remark =
      localError === undefined ? null : `executeLocalTransactionBranch exception: ${String(localError)}`;
    await impl.instance.api.endTransactionOneway(addr, header, remark);
  }

  /** checkTransactionState: asks checkLocalTransaction and answers on the connection the check came on. */
  private async checkTransactionState(
    channel: RemotingChannel,
    msg: MessageExt,
    check: CheckTransactionStateRequestHeader,
  ): Promise<void> {
    let state: LocalTransactionState = 'UNKNOW';
    let remark: string | null = null;
    try {
      state = normalize(await this.listener.checkLocalTransaction(msg));
    } catch (err) {
      remark = `checkLocalTransactionState Exception: ${String(err)}`;
    }
    const header: EndTransactionRequestHeader = {
      producerGroup: this.group,
      tranStateTableOffset: check.tranStateTableOffset,
      commitLogOffset: check.commitLogOffset,
      commitOrRollback: STATE_FLAG[state],
      fromTransactionCheck: true,
      msgId: msg.properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX] ?? msg.msgId,
    };
    if (check.transactionId !== undefined) header.transactionId = check.transactionId;
    const request = RemotingCommand.request(
      RequestCode.END_TRANSACTION,
      encodeEndTransactionRequestHeader(header),
    );
    request.remark = remark;
    request.markOneway();
    if (channel.isOpen) channel.invokeOneway(request);
    else await this.running().instance.api.endTransactionOneway(channel.remoteAddress, header, remark);
    log.debug({ msgId: header.msgId, state }, 'answered a transaction check-back');
  }

  override async shutdown(): Promise<void> {
    if (this.impl) this.impl.checkTransactionState = undefined;
    await super.shutdown();
  }
}
