import { componentLogger } from '../../common/logger.js';
import type { MessageExtBrokerInner } from '../../common/message.js';
import { MessageConst, MessageSysFlag } from '../../common/message-const.js';
import { getPropertyFromString } from '../../common/message-properties.js';
import {
  decodeEndTransactionRequestHeader,
  type EndTransactionRequestHeader,
  type PreDecodedEndTransactionCommand,
} from '../../remoting/protocol/header/end-transaction-request-header.js';
import type { RemotingChannel, Responder } from '../../remoting/remoting-channel.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { ResponseCode } from '../../remoting/response-code.js';
import type { PutMessageResult } from '../../store/put-message-status.js';
import type { BrokerContext } from '../broker-context.js';
import type { StoredInner } from '../stored-message-inner.js';
import {
  COLD,
  lookHalfForEnd,
  lookHalfForEndSync,
  putOpMessage,
  putOpMessageThen,
} from '../transaction/transactional-message-bridge.js';

const log = componentLogger('end-transaction');

/**
 * END_TRANSACTION (37, oneway from the producer), as 4.9.8's EndTransactionProcessor: commit puts the
 * real message (the half's properties as they are, REAL_TOPIC / REAL_QID / TRAN_MSG included, as the
 * Java broker stores them; sysFlag COMMIT, preparedTransactionOffset = the half's offset) and then an op
 * message marking the half done; rollback only writes the op message. A pending state (NOT_TYPE) or an
 * unknown one is ignored.
 */
export class EndTransactionProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  /**
   * Not an async function: a recent half is read synchronously into a shared buffer and its committed
   * copy is put (the store copies the bytes) before anything yields; an old half is read off the
   * event loop first.
   */
  readonly process = (
    request: RemotingCommand,
    channel: RemotingChannel,
    responder?: Responder,
  ): RemotingCommand | null | Promise<RemotingCommand | null> => {
    const h =
      (request as PreDecodedEndTransactionCommand).endTransactionHeader ??
      decodeEndTransactionRequestHeader(request.extFields);
    if (this.ctx.isSlave()) {
      log.warn('Message store is slave mode, so end transaction is forbidden.');
      return request.createResponse(ResponseCode.SLAVE_NOT_AVAILABLE, null);
    }
    const commit = h.commitOrRollback === MessageSysFlag.TRANSACTION_COMMIT_TYPE;
    const rollback = h.commitOrRollback === MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;
    if (!commit && !rollback) {
      log.debug({ producer: channel.remoteAddress, header: h }, 'end transaction with a pending state');
      return null;
    }
    const half = lookHalfForEndSync(this.ctx.messageStore, h.commitLogOffset);
    if (half === COLD)
      return lookHalfForEnd(this.ctx.messageStore, h.commitLogOffset).then((old) =>
        this.end(request, h, commit, old),
      );
    if (commit && half && responder) return this.commitThen(request, channel, responder, h, half);
    return this.end(request, h, commit, half);
  };

  /**
   * end() for the usual commit, answered through the responder: the two puts chained by callbacks,
   * not by four promises per transaction.
   */
  private commitThen(
    request: RemotingCommand,
    channel: RemotingChannel,
    responder: Responder,
    h: EndTransactionRequestHeader,
    half: StoredInner,
  ): RemotingCommand | null {
    const wrong = checkPrepareMessage(half, h);
    if (wrong) return request.createResponse(ResponseCode.SYSTEM_ERROR, wrong);
    const store = this.ctx.messageStore;
    const inner = committedInner(half, h);
    const op = { queueId: half.storedQueueId, queueOffset: half.queueOffset };
    const answer = (response: RemotingCommand | null): void => {
      if (!request.isOneway()) responder.respond(request, channel, response);
    };
    // synchronous encode: the half's bytes (maybe the shared read buffer) are copied here
    store.putMessageThen(inner, (r) => {
      const failed = sendFinalMessageFailure(r, this.ctx.storeConfig.maxMessageSize);
      if (failed) answer(request.createResponse(failed[0], failed[1]));
      else
        putOpMessageThen(store, op, store.now(), () =>
          answer(request.isOneway() ? null : request.createResponse(ResponseCode.SUCCESS, null)),
        );
    });
    return null;
  }

  /**
   * The committed message is built from the half's stored bytes (no properties map decoded and
   * re-encoded: ~8% of a transaction's broker time under bench transaction). As 4.9.8, the op message
   * is written only once the committed copy is stored.
   */
  private end(
    request: RemotingCommand,
    h: EndTransactionRequestHeader,
    commit: boolean,
    half: StoredInner | undefined,
  ): RemotingCommand | Promise<RemotingCommand | null> {
    if (!half)
      return request.createResponse(ResponseCode.SYSTEM_ERROR, 'Find prepared transaction message failed');
    const wrong = checkPrepareMessage(half, h);
    if (wrong) return request.createResponse(ResponseCode.SYSTEM_ERROR, wrong);
    const store = this.ctx.messageStore;
    const op = { queueId: half.storedQueueId, queueOffset: half.queueOffset };
    // END_TRANSACTION is oneway from every producer we know: no response object is built for nothing
    const done = (): RemotingCommand | null =>
      request.isOneway() ? null : request.createResponse(ResponseCode.SUCCESS, null);
    if (!commit) return putOpMessage(store, op, store.now()).then(done);
    const inner = committedInner(half, h);
    // synchronous encode: the half's bytes (maybe the shared read buffer) are copied here
    return store.putMessage(inner).then((r) => {
      const failed = sendFinalMessageFailure(r, this.ctx.storeConfig.maxMessageSize);
      if (failed) return request.createResponse(failed[0], failed[1]);
      return putOpMessage(store, op, store.now()).then(done);
    });
  }
}

/** endMessageTransaction: the half made the message to commit, in its real topic and queue. */
function committedInner(half: StoredInner, h: EndTransactionRequestHeader): MessageExtBrokerInner {
  const inner = half.inner;
  if (!Number.isInteger(inner.queueId)) inner.queueId = 0;
  inner.sysFlag = MessageSysFlag.resetTransactionValue(inner.sysFlag, MessageSysFlag.TRANSACTION_COMMIT_TYPE);
  inner.preparedTransactionOffset = h.commitLogOffset;
  return inner;
}

/** EndTransactionProcessor.checkPrepareMessage: the remark of a mismatch, or undefined. */
function checkPrepareMessage(half: StoredInner, h: EndTransactionRequestHeader): string | undefined {
  if (
    getPropertyFromString(half.inner.propertiesString, MessageConst.PROPERTY_PRODUCER_GROUP) !==
    h.producerGroup
  )
    return 'The producer group wrong';
  if (half.queueOffset !== h.tranStateTableOffset) return 'The transaction state table offset wrong';
  if (half.commitLogOffset !== h.commitLogOffset) return 'The commit log offset wrong';
  return undefined;
}

/** sendFinalMessage's answer for a put that did not go in; undefined when it did. */
function sendFinalMessageFailure(r: PutMessageResult, maxMessageSize: number): [number, string] | undefined {
  switch (r.status) {
    case 'PUT_OK':
    case 'FLUSH_DISK_TIMEOUT':
    case 'FLUSH_SLAVE_TIMEOUT':
    case 'SLAVE_NOT_AVAILABLE':
      return undefined;
    case 'CREATE_MAPEDFILE_FAILED':
      return [ResponseCode.SYSTEM_ERROR, 'Create mapped file failed.'];
    case 'MESSAGE_ILLEGAL':
    case 'PROPERTIES_SIZE_EXCEEDED':
      return [
        ResponseCode.MESSAGE_ILLEGAL,
        `The message is illegal, maybe msg body or properties length not matched. msg body length limit ${maxMessageSize}B, msg properties length limit 32KB.`,
      ];
    case 'SERVICE_NOT_AVAILABLE':
      return [ResponseCode.SERVICE_NOT_AVAILABLE, 'Service not available now.'];
    case 'OS_PAGECACHE_BUSY':
      return [ResponseCode.SYSTEM_ERROR, 'OS page cache busy, please try another machine'];
    case 'UNKNOWN_ERROR':
      return [ResponseCode.SYSTEM_ERROR, 'UNKNOWN_ERROR'];
    default:
      return [ResponseCode.SYSTEM_ERROR, 'UNKNOWN_ERROR DEFAULT'];
  }
}
