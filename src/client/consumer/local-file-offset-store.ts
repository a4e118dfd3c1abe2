import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { componentLogger } from '../../common/logger.js';
import { createMessageQueue, type MessageQueue, messageQueueKey } from '../message-queue.js';
import type { OffsetStore, ReadOffsetType } from './offset-store.js';

const log = componentLogger('client.offset');

/**
 * The folder broadcasting consumers keep offsets in: `rocketmq.client.localOffsetStoreDir` in Java,
 * here the COMETMQ_OFFSET_STORE_DIR environment variable, default `~/.rocketmq_offsets` as RocketMQ.
 */
export function defaultLocalOffsetStoreDir(): string {
  return process.env.COMETMQ_OFFSET_STORE_DIR ?? join(homedir(), '.rocketmq_offsets');
}

// OffsetSerializeWrapper as fastjson writes it: a map keyed by MessageQueue objects, fields sorted.
const ENTRY_RE = /\{"brokerName":("(?:[^"\\]|\\.)*"),"queueId":(\d+),"topic":("(?:[^"\\]|\\.)*")\}:(-?\d+)/g;

export function encodeOffsetFile(entries: Iterable<{ mq: MessageQueue; offset: number }>): string {
  const parts: string[] = [];
  for (const { mq, offset } of entries) {
    parts.push(
      `{"brokerName":${JSON.stringify(mq.brokerName)},"queueId":${mq.queueId},"topic":${JSON.stringify(mq.topic)}}:${offset}`,
    );
  }
  return `{"offsetTable":{${parts.join(',')}}}`;
}

export function decodeOffsetFile(text: string): { mq: MessageQueue; offset: number }[] {
  const out: { mq: MessageQueue; offset: number }[] = [];
  for (const m of text.matchAll(ENTRY_RE)) {
    const brokerName = JSON.parse(m[1]!) as string;
    const topic = JSON.parse(m[3]!) as string;
    out.push({ mq: createMessageQueue(topic, brokerName, Number(m[2])), offset: Number(m[4]) });
  }
  return out;
}

/**
 * Offsets in a local file (LocalFileOffsetStore), for broadcasting where each consumer has its own:
 * `<dir>/<clientId>/<group>/offsets.json`, replaced atomically, previous copy kept as `.bak`.
 */
export class LocalFileOffsetStore implements OffsetStore {
  private readonly table = new Map<string, { mq: MessageQueue; offset: number }>();
  readonly storePath: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(dir: string, clientId: string, group: string) {
    this.storePath = join(dir, clientId, group, 'offsets.json');
  }

  async load(): Promise<void> {
    for (const e of await this.readFile()) this.table.set(messageQueueKey(e.mq), e);
  }

  private async readFile(): Promise<{ mq: MessageQueue; offset: number }[]> {
    for (const path of [this.storePath, `${this.storePath}.bak`]) {
      try {
        return decodeOffsetFile(await readFile(path, 'utf8'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
          log.warn({ err, path }, 'cannot read offset file');
      }
    }
    return [];
  }

  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void {
    const key = messageQueueKey(mq);
    const cur = this.table.get(key);
    if (!cur) this.table.set(key, { mq, offset });
    else if (!increaseOnly || offset > cur.offset) cur.offset = offset;
  }

  async readOffset(mq: MessageQueue, type: ReadOffsetType): Promise<number> {
    if (type !== 'READ_FROM_STORE') {
      const cur = this.table.get(messageQueueKey(mq));
      if (cur) return cur.offset;
      if (type === 'READ_FROM_MEMORY') return -1;
    }
    const key = messageQueueKey(mq);
    const found = (await this.readFile()).find((e) => messageQueueKey(e.mq) === key);
    if (!found) return -1;
    this.updateOffset(mq, found.offset, false);
    return found.offset;
  }

  async persistAll(mqs: readonly MessageQueue[]): Promise<void> {
    const keep = new Set(mqs.map(messageQueueKey));
    const entries = [...this.table.entries()].filter(([k]) => keep.has(k)).map(([, e]) => e);
    if (entries.length === 0) return;
    await this.write(encodeOffsetFile(entries));
  }

  async persist(mq: MessageQueue): Promise<void> {
    // the file holds all queues; writing one means writing the table
    if (this.table.has(messageQueueKey(mq))) await this.write(encodeOffsetFile(this.table.values()));
  }

  removeOffset(_mq: MessageQueue): void {
    // as LocalFileOffsetStore.removeOffset: a broadcasting consumer keeps every queue's offset
  }

  async updateConsumeOffsetToStore(mq: MessageQueue, offset: number): Promise<void> {
    this.updateOffset(mq, offset, false);
    await this.persist(mq);
  }

  /** Writes are serialised so an older table never lands after a newer one. */
  private write(text: string): Promise<void> {
    this.writing = this.writing.then(async () => {
      try {
        await mkdir(dirname(this.storePath), { recursive: true });
        const tmp = `${this.storePath}.tmp`;
        await writeFile(tmp, text);
        try {
          await rename(this.storePath, `${this.storePath}.bak`);
        } catch {
          // first write: nothing to keep
        }
        await rename(tmp, this.storePath);
      } catch (err) {
        log.warn({ err, path: this.storePath }, 'cannot write offset file');
      }
    });
    return this.writing;
  }
}
