import { join } from 'node:path';
import { componentLogger } from '../../common/logger.js';
import {
  decodeConsumerOffsetSerializeWrapper,
  encodeConsumerOffsetSerializeWrapper,
} from '../../remoting/protocol/body/consumer-offset-serialize-wrapper.js';
import { PersistQueue, readConfigFile, writeConfigFileAtomically } from '../config-file.js';

const log = componentLogger('consumer-offset');

const TOPIC_GROUP_SEPARATOR = '@';

/**
 * ConsumerOffsetManager: committed offsets per "topic@group" and queue, persisted to
 * config/consumerOffset.json every flushConsumerOffsetInterval and on shutdown. Commits happen on every
 * pull with the commit flag, so the table is plain Maps keyed by the same string RocketMQ uses.
 */
export class ConsumerOffsetManager {
  readonly offsetTable = new Map<string, Map<number, number>>();
  private readonly persistQueue = new PersistQueue(() => this.write());

  constructor(private readonly storePathRootDir: string) {}

  get configFilePath(): string {
    return join(this.storePathRootDir, 'config', 'consumerOffset.json');
  }

  async load(): Promise<void> {
    const w = await readConfigFile(this.configFilePath, decodeConsumerOffsetSerializeWrapper);
    if (!w) return;
    for (const [key, table] of Object.entries(w.offsetTable)) {
      const m = new Map<number, number>();
      for (const [qid, off] of Object.entries(table)) m.set(Number(qid), off);
      this.offsetTable.set(key, m);
    }
  }

  commitOffset(clientHost: string, group: string, topic: string, queueId: number, offset: number): void {
    const key = topic + TOPIC_GROUP_SEPARATOR + group;
    let m = this.offsetTable.get(key);
    if (!m) {
      m = new Map();
      this.offsetTable.set(key, m);
    }
    const prev = m.get(queueId);
    m.set(queueId, offset);
    if (prev !== undefined && offset < prev) {
      log.debug(
        { clientHost, key, queueId, offset, prev },
        '[NOTIFYME]update consumer offset less than store',
      );
    }
  }

  /** -1 when the group never committed an offset for the queue. */
  queryOffset(group: string, topic: string, queueId: number): number {
    return this.offsetTable.get(topic + TOPIC_GROUP_SEPARATOR + group)?.get(queueId) ?? -1;
  }

  queryOffsetTable(group: string, topic: string): Map<number, number> | undefined {
    return this.offsetTable.get(topic + TOPIC_GROUP_SEPARATOR + group);
  }

  /** Topics the group has offsets for (whichTopicByConsumer). */
  whichTopicByConsumer(group: string): Set<string> {
    const out = new Set<string>();
    for (const key of this.offsetTable.keys()) {
      const at = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      if (at > 0 && key.slice(at + 1) === group) out.add(key.slice(0, at));
    }
    return out;
  }

  /** Every group's offsets, by topic: [topic, queueId -> offset] per "topic@group" key. */
  *offsetsByTopic(): IterableIterator<[string, Map<number, number>]> {
    for (const [key, queues] of this.offsetTable) {
      const at = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      if (at > 0) yield [key.slice(0, at), queues];
    }
  }

  /** Groups that have offsets for the topic (whichGroupByTopic). */
  whichGroupByTopic(topic: string): Set<string> {
    const out = new Set<string>();
    for (const key of this.offsetTable.keys()) {
      const at = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      if (at > 0 && key.slice(0, at) === topic) out.add(key.slice(at + 1));
    }
    return out;
  }

  /** cloneOffset: the destination group gets a copy of the source group's offsets for the topic. */
  cloneOffset(srcGroup: string, destGroup: string, topic: string): void {
    const src = this.offsetTable.get(topic + TOPIC_GROUP_SEPARATOR + srcGroup);
    if (src) this.offsetTable.set(topic + TOPIC_GROUP_SEPARATOR + destGroup, new Map(src));
  }

  removeOffset(group: string): void {
    for (const key of [...this.offsetTable.keys()]) {
      const at = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      if (at > 0 && key.slice(at + 1) === group) this.offsetTable.delete(key);
    }
  }

  removeTopic(topic: string): void {
    for (const key of [...this.offsetTable.keys()]) {
      if (key.startsWith(topic + TOPIC_GROUP_SEPARATOR)) this.offsetTable.delete(key);
    }
  }

  encode(pretty = false): string {
    const table: Record<string, Record<string, number>> = {};
    for (const [key, m] of this.offsetTable) {
      const o: Record<string, number> = {};
      for (const [qid, off] of m) o[qid] = off;
      table[key] = o;
    }
    return encodeConsumerOffsetSerializeWrapper({ offsetTable: table }, pretty);
  }

  persist(): Promise<void> {
    return this.persistQueue
      .persist()
      .catch((err: unknown) => log.error({ err }, 'persist consumerOffset.json failed'));
  }

  private write(): Promise<void> {
    return writeConfigFileAtomically(this.configFilePath, this.encode(true));
  }
}
