/**
 * The message model, with RocketMQ's field names (common/message/Message.java, MessageExt.java,
 * store/MessageExtBrokerInner.java). Offsets are JS numbers: commit log offsets stay exact up to
 * 2^53 bytes (8 PiB), far beyond any disk (style.md "Numbers").
 */

/** What a producer sends: topic, flag, properties, body. */
export interface Message {
  topic: string;
  flag: number;
  properties: Record<string, string>;
  body: Buffer;
}

/** A stored message as read back from the CommitLog (protocol.md s.5). */
export interface MessageExt extends Message {
  queueId: number;
  storeSize: number;
  queueOffset: number;
  sysFlag: number;
  bornTimestamp: number;
  /** "ip:port" */
  bornHost: string;
  storeTimestamp: number;
  /** "ip:port" */
  storeHost: string;
  /** The offset message id (store host + commit log offset). */
  msgId: string;
  commitLogOffset: number;
  bodyCRC: number;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
}

/** What the broker hands the store to append. */
export interface MessageExtBrokerInner {
  topic: string;
  queueId: number;
  flag: number;
  body: Buffer;
  /** Encoded properties (message-properties.ts). */
  propertiesString: string;
  /** Tag hash code for the ConsumeQueue entry (tagsString2tagsCode of the TAGS property). */
  tagsCode: number;
  sysFlag: number;
  bornTimestamp: number;
  /** encodeSocketAddress(...) of the producer: 8 bytes IPv4, 20 bytes IPv6; done once per connection. */
  bornHost: Buffer;
  /** Defaults to the store's own host. */
  storeHost?: Buffer;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  /** The KEYS property, for the index; read from propertiesString when both keys and uniqKey are absent. */
  keys?: string;
  /** The UNIQ_KEY property, for the index. */
  uniqKey?: string;
  /**
   * Java's properties map can differ from the string it stores (ScheduleMessageService.messageTimeup
   * keeps DELAY and WAIT in the stored string but clears them in the map): when set, these decide
   * whether the store delays the message and waits for flush/replicas, instead of the string's DELAY/WAIT.
   */
  delayTimeLevel?: number;
  waitStoreMsgOK?: boolean;
  /**
   * The body's CRC (UtilAll.crc32, masked) when already known: a stored message put again unchanged
   * (a committed half, a delayed message due) carries its stored one. 4.9.8 recomputes it on every
   * put; for an intact stored message that is the same value, and a CRC of 1 KiB costs ~0.5 us here.
   */
  bodyCRC?: number;
}
