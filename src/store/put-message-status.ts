import type { BodyLease } from '../common/body-lease.js';

/** Outcomes of an append (store/PutMessageStatus.java); the broker maps them to response codes. */
export type PutMessageStatus =
  | 'PUT_OK'
  | 'FLUSH_DISK_TIMEOUT'
  | 'FLUSH_SLAVE_TIMEOUT'
  | 'SLAVE_NOT_AVAILABLE'
  | 'SERVICE_NOT_AVAILABLE'
  | 'CREATE_MAPEDFILE_FAILED'
  | 'MESSAGE_ILLEGAL'
  | 'PROPERTIES_SIZE_EXCEEDED'
  | 'OS_PAGECACHE_BUSY'
  | 'UNKNOWN_ERROR';

/** Outcomes of a read (store/GetMessageStatus.java). */
export type GetMessageStatus =
  | 'FOUND'
  | 'NO_MATCHED_MESSAGE'
  | 'MESSAGE_WAS_REMOVING'
  | 'OFFSET_FOUND_NULL'
  | 'OFFSET_OVERFLOW_BADLY'
  | 'OFFSET_OVERFLOW_ONE'
  | 'OFFSET_TOO_SMALL'
  | 'NO_MATCHED_LOGIC_QUEUE'
  | 'NO_MESSAGE_IN_QUEUE';

export interface AppendMessageResult {
  /** Commit log offset of the entry. */
  wroteOffset: number;
  wroteBytes: number;
  /** The offset message id (store host + wroteOffset). */
  readonly msgId: string;
  /** msgId's first part, the store host's hex: a reply can write the id without making the string. */
  readonly storeHostHex: string;
  queueOffset: number;
  storeTimestamp: number;
}

export interface PutMessageResult {
  status: PutMessageStatus;
  result?: AppendMessageResult;
  /** One per message of a putMessages batch, in order. */
  results?: AppendMessageResult[];
  /** Why, when status is not PUT_OK (for the broker's response remark). */
  remark?: string;
}

export interface GetMessageResult {
  status: GetMessageStatus;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  messageCount: number;
  /** Stored messages, each exactly one entry; concatenated they are the pull body. */
  buffers: Buffer[];
  bufferTotalSize: number;
  suggestPullingFromSlave: boolean;
  /** Queue offset of each buffer (RocketMQ's messageQueueOffset, used by the broker's stats). */
  queueOffsets: number[];
  /**
   * The buffers are views of this leased body: release() once they are written (or dropped) and it
   * is reused for later pulls. Left unreleased, it is only garbage collected.
   */
  bodyLease?: BodyLease | undefined;
  /** The buffers' concatenation when it is one buffer already (none was dropped). */
  body?: Buffer | undefined;
}

export interface MessageFilter {
  isMatchedByConsumeQueue(tagsCode: number): boolean;
  /** Called with one stored message when present (SQL92 over properties). */
  isMatchedByCommitLog?(msg: Buffer): boolean;
}

/** What dispatch (reput) hands ConsumeQueue, IndexService and listeners for each stored message. */
export interface DispatchRequest {
  topic: string;
  queueId: number;
  commitLogOffset: number;
  msgSize: number;
  tagsCode: number;
  storeTimestamp: number;
  consumeQueueOffset: number;
  keys: string;
  uniqKey: string | undefined;
  sysFlag: number;
  propertiesString?: string;
  bornTimestamp?: number;
}
