import { homedir } from 'node:os';
import { join } from 'node:path';

export type FlushDiskType = 'ASYNC_FLUSH' | 'SYNC_FLUSH';
export type BrokerRole = 'ASYNC_MASTER' | 'SYNC_MASTER' | 'SLAVE';

export const FLUSH_DISK_TYPES: readonly FlushDiskType[] = ['ASYNC_FLUSH', 'SYNC_FLUSH'];
export const BROKER_ROLES: readonly BrokerRole[] = ['ASYNC_MASTER', 'SYNC_MASTER', 'SLAVE'];

/** Size of one ConsumeQueue entry: commit log offset int64, size int32, tag hash code int64. */
export const CQ_STORE_UNIT_SIZE = 20;

/**
 * The store's configuration, with RocketMQ's key names and defaults (store/config/MessageStoreConfig.java,
 * protocol.md s.8), so a broker.conf written for RocketMQ means the same here. Plain data: the type of
 * each default is the type applyConfig (common/config.ts) expects.
 */
export interface MessageStoreConfig {
  storePathRootDir: string;
  /** Empty means `<storePathRootDir>/commitlog`. */
  storePathCommitLog: string;
  mappedFileSizeCommitLog: number;
  mappedFileSizeConsumeQueue: number;
  flushDiskType: FlushDiskType;
  brokerRole: BrokerRole;
  flushIntervalCommitLog: number;
  /** CometMQ: body CRCs and CommitLog writes on a thread of their own (off the event loop). */
  commitLogWriteWorkerEnable: boolean;
  /**
   * CometMQ: bytes of the CommitLog read ahead of the write position on the libuv pool once the
   * writer's pwrites turn out to meet cold pages, so that its page-cache pages exist before it fills
   * them (commit-log-warmer.ts); 0 turns it off.
   */
  commitLogWarmAheadBytes: number;
  /**
   * CometMQ: once the CommitLog's pwrites turn out to meet cold pages, flushed CommitLog bytes more
   * than this far behind the write position are given back to the kernel's page cache
   * (commit-log-drop-behind.ts), and readers treat only what is left as in memory. -1: RocketMQ's
   * in-memory region (accessMessageInMemoryMaxRatio of the machine's memory); 0 turns it off.
   */
  commitLogDropBehindBytes: number;
  flushCommitLogLeastPages: number;
  flushCommitLogThoroughInterval: number;
  flushIntervalConsumeQueue: number;
  flushConsumeQueueLeastPages: number;
  flushConsumeQueueThoroughInterval: number;
  syncFlushTimeout: number;
  maxMessageSize: number;
  checkCRCOnRecover: boolean;
  /** Hours a CommitLog file is kept after its last write. */
  fileReservedTime: number;
  /** Hours of the day ("04", or "04;05") when expired files are deleted. */
  deleteWhen: string;
  /** Percent of the disk; above it, files are deleted whatever their age. */
  diskMaxUsedSpaceRatio: number;
  cleanResourceInterval: number;
  cleanFileForciblyEnable: boolean;
  deleteCommitLogFilesInterval: number;
  deleteConsumeQueueFilesInterval: number;
  messageIndexEnable: boolean;
  messageIndexSafe: boolean;
  maxHashSlotNum: number;
  maxIndexNum: number;
  maxMsgsNumBatch: number;
  defaultQueryMaxNum: number;
  maxTransferBytesOnMessageInMemory: number;
  maxTransferCountOnMessageInMemory: number;
  maxTransferBytesOnMessageInDisk: number;
  maxTransferCountOnMessageInDisk: number;
  accessMessageInMemoryMaxRatio: number;
  offsetCheckInSlave: boolean;
  osPageCacheBusyTimeOutMills: number;
  messageDelayLevel: string;
  haListenPort: number;
  haSendHeartbeatInterval: number;
  haHousekeepingInterval: number;
  haTransferBatchSize: number;
  haSlaveFallbehindMax: number;
  /** A slave's master HA address ("ip:port"); empty: learnt from the NameServer's REGISTER_BROKER reply. */
  haMasterAddress: string;
  /** SYNC_MASTER: how long a put waits for a slave's ack before FLUSH_SLAVE_TIMEOUT (4.9.8 slaveTimeout). */
  slaveTimeout: number;
}

export function defaultMessageStoreConfig(): MessageStoreConfig {
  return {
    storePathRootDir: join(homedir(), 'store'),
    storePathCommitLog: '',
    mappedFileSizeCommitLog: 1024 * 1024 * 1024,
    mappedFileSizeConsumeQueue: 300_000 * CQ_STORE_UNIT_SIZE,
    flushDiskType: 'ASYNC_FLUSH',
    brokerRole: 'ASYNC_MASTER',
    flushIntervalCommitLog: 500,
    commitLogWriteWorkerEnable: false,
    commitLogWarmAheadBytes: 16 * 1024 * 1024,
    commitLogDropBehindBytes: -1,
    flushCommitLogLeastPages: 4,
    flushCommitLogThoroughInterval: 10_000,
    flushIntervalConsumeQueue: 1000,
    flushConsumeQueueLeastPages: 2,
    flushConsumeQueueThoroughInterval: 60_000,
    syncFlushTimeout: 5000,
    maxMessageSize: 4 * 1024 * 1024,
    checkCRCOnRecover: true,
    fileReservedTime: 72,
    deleteWhen: '04',
    diskMaxUsedSpaceRatio: 75,
    cleanResourceInterval: 10_000,
    cleanFileForciblyEnable: true,
    deleteCommitLogFilesInterval: 100,
    deleteConsumeQueueFilesInterval: 100,
    messageIndexEnable: true,
    messageIndexSafe: false,
    maxHashSlotNum: 5_000_000,
    maxIndexNum: 5_000_000 * 4,
    maxMsgsNumBatch: 64,
    defaultQueryMaxNum: 32,
    maxTransferBytesOnMessageInMemory: 256 * 1024,
    maxTransferCountOnMessageInMemory: 32,
    maxTransferBytesOnMessageInDisk: 64 * 1024,
    maxTransferCountOnMessageInDisk: 8,
    accessMessageInMemoryMaxRatio: 40,
    offsetCheckInSlave: false,
    osPageCacheBusyTimeOutMills: 1000,
    messageDelayLevel: '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h',
    haListenPort: 10912,
    haSendHeartbeatInterval: 5000,
    haHousekeepingInterval: 20_000,
    haTransferBatchSize: 32 * 1024,
    haSlaveFallbehindMax: 256 * 1024 * 1024,
    haMasterAddress: '',
    slaveTimeout: 3000,
  };
}

/** StorePathConfigHelper's layout under storePathRootDir. */
export const StorePath = {
  commitLog: (c: MessageStoreConfig) => c.storePathCommitLog || join(c.storePathRootDir, 'commitlog'),
  consumeQueue: (c: MessageStoreConfig) => join(c.storePathRootDir, 'consumequeue'),
  index: (c: MessageStoreConfig) => join(c.storePathRootDir, 'index'),
  checkpoint: (c: MessageStoreConfig) => join(c.storePathRootDir, 'checkpoint'),
  abort: (c: MessageStoreConfig) => join(c.storePathRootDir, 'abort'),
  lock: (c: MessageStoreConfig) => join(c.storePathRootDir, 'lock'),
} as const;

const DELAY_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** messageDelayLevel parsed as ScheduleMessageService.parseDelayLevel does: index level-1 -> millis. */
export function parseDelayLevels(spec: string): number[] {
  const out: number[] = [];
  for (const word of spec.trim().split(/\s+/)) {
    const unit = DELAY_UNITS[word.slice(-1)];
    const n = Number(word.slice(0, -1));
    if (unit === undefined || !Number.isFinite(n)) throw new Error(`bad messageDelayLevel entry: ${word}`);
    out.push(n * unit);
  }
  return out;
}
