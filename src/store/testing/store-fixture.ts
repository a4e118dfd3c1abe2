import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageExtBrokerInner } from '../../common/message.js';
import { encodeSocketAddress } from '../../common/message-id.js';
import { encodeProperties } from '../../common/message-properties.js';
import { tagsString2tagsCode } from '../../common/tag-hash.js';
import { DefaultMessageStore, type MessageStoreOptions } from '../default-message-store.js';
import {
  CQ_STORE_UNIT_SIZE,
  defaultMessageStoreConfig,
  type MessageStoreConfig,
} from '../message-store-config.js';

/** Helpers for store tests, the crash-test child and the benchmark (not part of the public surface). */

export function makeTempDir(prefix = 'cometmq-store-'): string {
  return fs.mkdtempSync(join(tmpdir(), prefix));
}

/** Small files so that tests cross file boundaries often. */
export function tinyConfig(root: string, overrides: Partial<MessageStoreConfig> = {}): MessageStoreConfig {
  return {
    ...defaultMessageStoreConfig(),
    storePathRootDir: root,
    mappedFileSizeCommitLog: 64 * 1024,
    mappedFileSizeConsumeQueue: 10 * CQ_STORE_UNIT_SIZE,
    maxHashSlotNum: 64,
    maxIndexNum: 200,
    maxMessageSize: 16 * 1024,
    ...overrides,
  };
}

const BORN_HOST = encodeSocketAddress('10.1.2.3:50000');

export interface TestMessage {
  topic?: string;
  queueId?: number;
  body?: Buffer | string;
  tags?: string;
  keys?: string;
  uniqKey?: string;
  properties?: Record<string, string>;
  sysFlag?: number;
  bornHost?: Buffer;
  storeHost?: Buffer;
  bornTimestamp?: number;
}

/** A MessageExtBrokerInner as the broker builds one. */
export function makeMessage(m: TestMessage = {}): MessageExtBrokerInner {
  const props: Record<string, string> = { ...m.properties };
  if (m.tags !== undefined) props.TAGS = m.tags;
  if (m.keys !== undefined) props.KEYS = m.keys;
  if (m.uniqKey !== undefined) props.UNIQ_KEY = m.uniqKey;
  const body = typeof m.body === 'string' ? Buffer.from(m.body) : (m.body ?? Buffer.from('hello'));
  return {
    topic: m.topic ?? 'TopicTest',
    queueId: m.queueId ?? 0,
    flag: 0,
    body,
    propertiesString: encodeProperties(props),
    tagsCode: tagsString2tagsCode(m.tags),
    sysFlag: m.sysFlag ?? 0,
    bornTimestamp: m.bornTimestamp ?? Date.now(),
    bornHost: m.bornHost ?? BORN_HOST,
    storeHost: m.storeHost,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    keys: m.keys,
    uniqKey: m.uniqKey,
  };
}

export async function openStore(
  config: MessageStoreConfig,
  opts: MessageStoreOptions = {},
): Promise<DefaultMessageStore> {
  const store = new DefaultMessageStore(config, { storeHost: '192.168.0.1:10911', ...opts });
  await store.load();
  await store.start();
  return store;
}

/** A clock for the store's Scheduler that moves only when told; its timers never fire on their own. */
export class ManualClock {
  constructor(public t = Date.UTC(2024, 0, 1, 12, 0, 0)) {}
  now(): number {
    return this.t;
  }
  setTimeout(): unknown {
    return 0;
  }
  clearTimeout(): void {}
}

/** The store of the crash test: SYNC_FLUSH, files small enough to roll over within a round. */
export function crashTestConfig(root: string): MessageStoreConfig {
  return tinyConfig(root, {
    flushDiskType: 'SYNC_FLUSH',
    mappedFileSizeCommitLog: 256 * 1024,
    mappedFileSizeConsumeQueue: 50 * CQ_STORE_UNIT_SIZE,
    maxHashSlotNum: 256,
    maxIndexNum: 2000,
    maxMessageSize: 8192,
  });
}

/**
 * Leaves a store as SIGKILL would: nothing flushed, the abort file in place; only the file
 * descriptors are closed, so that tests can "crash" many stores in one process.
 */
export function crashClose(store: DefaultMessageStore): void {
  store.commitLogQueue.shutdown();
  for (const cq of store.consumeQueues()) cq.mappedFileQueue.shutdown();
  for (const f of store.indexService?.indexFileList ?? []) f.file.shutdown();
  store.checkpoint.close();
}
