import { randomBytes } from 'node:crypto';
import type { MessageExt, MessageExtBrokerInner } from '../../common/message.js';
import { MessageConst, MessageSysFlag, TopicValidator } from '../../common/message-const.js';
import { decodeMessage } from '../../common/message-decoder.js';
import { getPropertyFromString, putPropertyToString } from '../../common/message-properties.js';
import { tagsString2tagsCode } from '../../common/tag-hash.js';
import type { DefaultMessageStore } from '../../store/default-message-store.js';
import type { PutMessageResult } from '../../store/put-message-status.js';

/** TransactionalMessageUtil.REMOVETAG: the tag of op messages that mark a half message done. */
export const REMOVETAG = 'd';
const REMOVETAG_CODE = tagsString2tagsCode(REMOVETAG);

/**
 * TransactionalMessageBridge.parseHalfMessageInner: a prepared message is stored in
 * RMQ_SYS_TRANS_HALF_TOPIC queue 0 with its real topic and queue in REAL_TOPIC / REAL_QID, and its
 * transaction type reset to NOT_TYPE so that the store indexes it in the half topic's ConsumeQueue.
 */
export function parseHalfMessageInner(msg: MessageExtBrokerInner): void {
  let props = putPropertyToString(msg.propertiesString, MessageConst.PROPERTY_REAL_TOPIC, msg.topic);
  props = putPropertyToString(props, MessageConst.PROPERTY_REAL_QUEUE_ID, String(msg.queueId));
  msg.propertiesString = props;
  msg.sysFlag = MessageSysFlag.resetTransactionValue(msg.sysFlag, MessageSysFlag.TRANSACTION_NOT_TYPE);
  msg.topic = TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC;
  msg.queueId = 0;
}

export function isTransactionPrepared(propertiesString: string): boolean {
  return getPropertyFromString(propertiesString, MessageConst.PROPERTY_TRANSACTION_PREPARED) === 'true';
}

/** The half message at a commit log offset, or undefined (lookMessageByOffset). */
export async function lookHalfMessage(
  store: DefaultMessageStore,
  commitLogOffset: number,
): Promise<MessageExt | undefined> {
  const buf = await store.lookMessageByOffset(commitLogOffset);
  if (!buf) return undefined;
  try {
    return decodeMessage(buf, 0, { decompressBody: false });
  } catch {
    return undefined;
  }
}

/** MessageClientIDSetter.createUniqID-like: 32 hex chars, unique enough for op messages' UNIQ_KEY. */
function uniqId(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

/**
 * TransactionalMessageBridge.addRemoveTagInTransactionOp: an op message in RMQ_SYS_TRANS_OP_HALF_TOPIC
 * (same queue id as the half) whose body is the half message's queue offset, tag "d". Commit and
 * rollback both write one; the check service skips halves that have one.
 */
export function putOpMessage(
  store: DefaultMessageStore,
  half: MessageExt,
  now: number,
): Promise<PutMessageResult> {
  const props =
    `${MessageConst.PROPERTY_TAGS}\u0001${REMOVETAG}\u0002` +
    `${MessageConst.PROPERTY_WAIT_STORE_MSG_OK}\u0001false\u0002` +
    `${MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX}\u0001${uniqId()}`;
  return store.putMessage({
    topic: TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC,
    queueId: half.queueId,
    flag: 0,
    body: Buffer.from(String(half.queueOffset), 'utf8'),
    propertiesString: props,
    tagsCode: REMOVETAG_CODE,
    sysFlag: 0,
    bornTimestamp: now,
    bornHost: store.storeHost,
    storeHost: store.storeHost,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
  });
}
