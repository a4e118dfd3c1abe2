import { componentLogger } from '../../common/logger.js';
import { MessageConst, TopicValidator } from '../../common/message-const.js';
import { decodeMessage } from '../../common/message-decoder.js';
import { decodeOffsetMsgId } from '../../common/message-id.js';
import { optionalString } from '../../remoting/custom-header.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { ResponseCode } from '../../remoting/response-code.js';
import type { BrokerContext } from '../broker-context.js';
import { innerFromStored } from '../message-inner.js';

const log = componentLogger('transaction');

const FAILED = 'Put message back to RMQ_SYS_TRANS_HALF_TOPIC failed.';
const THROWN = 'Exception was thrown when putting message back to RMQ_SYS_TRANS_HALF_TOPIC.';

/**
 * RESUME_CHECK_HALF_MESSAGE (AdminBrokerProcessor.resumeCheckHalfMessage): the message at the offset
 * message id is stored again in RMQ_SYS_TRANS_HALF_TOPIC queue 0 with TRANSACTION_CHECK_TIMES 0, so
 * the check service, which discards a half checked transactionCheckMax times, checks it again. As in
 * 4.9.8 the message is not required to be a half (any stored message goes in) and every failure
 * (no msgId, not an offset id, nothing at that offset, undecodable bytes) is one SYSTEM_ERROR remark.
 * One difference: 4.9.8 decodes the body decompressed but keeps the COMPRESSED sysFlag, so a
 * compressed half comes back unreadable; CometMQ stores the body as it was stored.
 */
export async function resumeCheckHalfMessage(
  ctx: BrokerContext,
  request: RemotingCommand,
): Promise<RemotingCommand> {
  const store = ctx.messageStore;
  try {
    const msgId = optionalString(request.extFields, 'msgId');
    // @CFNullable: a missing msgId gets through decoding and fails in MessageDecoder.decodeMessageId
    if (msgId === undefined) throw new Error('no msgId');
    const { offset } = decodeOffsetMsgId(msgId);
    const buf = await store.lookMessageByOffset(offset);
    if (!buf) throw new Error(`no message at commit log offset ${offset}`);
    const msg = decodeMessage(buf, 0, { decompressBody: false });
    const props: Record<string, string> = {
      ...msg.properties,
      [MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES]: '0',
    };
    const inner = innerFromStored(msg, TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC, 0, props);
    inner.waitStoreMsgOK = false;
    const r = await store.putMessage(inner);
    if (r.status === 'PUT_OK') {
      log.info(
        { realTopic: props[MessageConst.PROPERTY_REAL_TOPIC] },
        'Put message back to RMQ_SYS_TRANS_HALF_TOPIC.',
      );
      return request.createResponse(ResponseCode.SUCCESS, null);
    }
    log.error({ status: r.status }, FAILED);
    return request.createResponse(ResponseCode.SYSTEM_ERROR, FAILED);
  } catch (err) {
    log.error({ err }, THROWN);
    return request.createResponse(ResponseCode.SYSTEM_ERROR, THROWN);
  }
}
