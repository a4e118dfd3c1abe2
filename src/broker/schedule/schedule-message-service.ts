import { join } from 'node:path';
import { parseLenientJson } from '../../common/lenient-json.js';
import { componentLogger } from '../../common/logger.js';
import { TopicValidator } from '../../common/message-const.js';
import type { ScheduledTask, Scheduler } from '../../common/scheduler.js';
import type { DefaultMessageStore } from '../../store/default-message-store.js';
import { memoryForPageCache } from '../../store/get-message.js';
import { PersistQueue, readConfigFile, writeConfigFileAtomically } from '../config-file.js';
import { cqEntryAt } from '../message-inner.js';
import { scheduledInnerFromStored } from './scheduled-message-inner.js';

const log = componentLogger('schedule');

/** ScheduleMessageService's pacing (4.9.8): first run after 1 s, idle polls every 100 ms, 10 s after an error. */
const FIRST_DELAY_TIME = 1000;
const DELAY_FOR_A_WHILE = 100;
const DELAY_FOR_A_PERIOD = 10_000;
/** MessageStoreConfig.flushDelayOffsetInterval default. */
export const FLUSH_DELAY_OFFSET_INTERVAL = 10_000;
/** ConsumeQueue entries read per run of a level (one read, then the due ones are put together). */
const BATCH = 1024;
/** Bytes read at once for a run of adjacent delayed messages. */
const READ_SPAN = 1 << 20;

/** DelayOffsetSerializeWrapper: {"offsetTable":{level: offset}}. */
export function decodeDelayOffset(text: string): Map<number, number> {
  const o = parseLenientJson(text) as { offsetTable?: Record<string, unknown> } | null;
  const out = new Map<number, number>();
  if (!o || typeof o !== 'object' || typeof o.offsetTable !== 'object' || o.offsetTable === null)
    throw new Error('delayOffset.json without an offsetTable');
  for (const [k, v] of Object.entries(o.offsetTable)) {
    const level = Number(k);
    const off = Number(v);
    if (Number.isInteger(level) && Number.isFinite(off)) out.set(level, off);
  }
  return out;
}

/**
 * ScheduleMessageService (4.9.8, synchronous delivery): one timer per delay level reads the level's
 * ConsumeQueue of SCHEDULE_TOPIC_XXXX in order (the tags code is the deliver time, set by the store)
 * and re-puts each due message into REAL_TOPIC / REAL_QID (DELAY kept in its properties, as 4.9.8). Progress per level lives
 * in config/delayOffset.json, flushed every 10 s and at shutdown, so messages that came due while the
 * broker was down are delivered after it restarts (a crash may deliver the last <= 10 s again, as in
 * RocketMQ). Messages are not scheduled one timer each: a level waits for its oldest entry only.
 */
export class ScheduleMessageService {
  readonly offsetTable = new Map<number, number>();
  private readonly persistQueue = new PersistQueue(() =>
    writeConfigFileAtomically(this.configFilePath, this.encode(true)),
  );
  private readonly timers = new Map<number, ScheduledTask>();
  private flushTask: ScheduledTask | undefined;
  private started = false;

  constructor(
    private readonly store: DefaultMessageStore,
    private readonly storePathRootDir: string,
    private readonly scheduler: Scheduler,
  ) {}

  get configFilePath(): string {
    return join(this.storePathRootDir, 'config', 'delayOffset.json');
  }

  get maxDelayLevel(): number {
    return this.store.delayLevels.length;
  }

  /** ConfigManager.load, then correctDelayOffset (an offset outside its queue is moved inside). */
  async load(): Promise<void> {
    const t = await readConfigFile(this.configFilePath, decodeDelayOffset);
    if (t) for (const [k, v] of t) this.offsetTable.set(k, v);
    this.correctDelayOffset();
  }

  private correctDelayOffset(): void {
    for (let level = 1; level <= this.maxDelayLevel; level++) {
      const cur = this.offsetTable.get(level);
      const cq = this.store.findConsumeQueue(TopicValidator.RMQ_SYS_SCHEDULE_TOPIC, level - 1);
      if (cur === undefined || !cq) continue;
      const min = cq.getMinOffsetInQueue();
      const max = cq.getMaxOffsetInQueue();
      const fixed = Math.max(min, Math.min(cur, max));
      if (fixed !== cur) {
        log.error({ level, from: cur, to: fixed, min, max }, 'correct delay offset');
        this.offsetTable.set(level, fixed);
      }
    }
  }

  /** Masters only (a slave's offsets are copied from its master with GET_ALL_DELAY_OFFSET). */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (let level = 1; level <= this.maxDelayLevel; level++) this.arm(level, FIRST_DELAY_TIME);
    this.flushTask = this.scheduler.every('persist-delay-offset', FLUSH_DELAY_OFFSET_INTERVAL, () =>
      this.persist(),
    );
  }

  async shutdown(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.flushTask?.cancel();
    await this.persist();
  }

  encode(pretty = false): string {
    const table: Record<string, number> = {};
    for (const [k, v] of [...this.offsetTable].sort((a, b) => a[0] - b[0])) table[k] = v;
    return JSON.stringify({ offsetTable: table }, null, pretty ? 2 : undefined);
  }

  persist(): Promise<void> {
    return this.persistQueue
      .persist()
      .catch((err: unknown) => log.error({ err }, 'persist delayOffset.json failed'));
  }

  /** RunningStats.scheduleMessageOffset_<level> = "<delay offset>,<max offset>" (GET_BROKER_RUNTIME_INFO). */
  buildRunningStats(stats: Record<string, string>): void {
    for (const [level, off] of this.offsetTable) {
      const max = this.store.getMaxOffsetInQueue(TopicValidator.RMQ_SYS_SCHEDULE_TOPIC, level - 1);
      stats[`scheduleMessageOffset_${level}`] = `${off},${max}`;
    }
  }

  private arm(level: number, delayMs: number): void {
    if (!this.started) return;
    this.timers.set(
      level,
      this.scheduler.once(`schedule-level-${level}`, delayMs, async () => {
        let next: number;
        try {
          next = await this.executeOnTimeup(level);
        } catch (err) {
          log.error({ err, level }, 'deliver delayed messages failed');
          next = DELAY_FOR_A_PERIOD;
        }
        this.arm(level, next);
      }),
    );
  }

  /** DeliverDelayedMessageTimerTask.executeOnTimeup for one batch; answers when to run next. */
  private async executeOnTimeup(level: number): Promise<number> {
    const cq = this.store.findConsumeQueue(TopicValidator.RMQ_SYS_SCHEDULE_TOPIC, level - 1);
    if (!cq) return DELAY_FOR_A_WHILE;
    let offset = this.offsetTable.get(level) ?? 0;
    const min = cq.getMinOffsetInQueue();
    if (offset < min) {
      log.error({ level, offset, min }, 'schedule CQ offset invalid');
      offset = min;
      this.offsetTable.set(level, offset);
    }
    if (offset >= cq.getMaxOffsetInQueue()) return DELAY_FOR_A_WHILE;
    const entries = cq.readEntries(offset, BATCH);
    if (!entries || entries.length === 0) return DELAY_FOR_A_WHILE;
    const n = entries.length / 20;
    const now = this.store.now();
    const levelDelay = this.store.delayLevels[level - 1]!;
    let due = 0;
    let nextAt = 0;
    for (; due < n; due++) {
      let deliverAt = cqEntryAt(entries, due).tagsCode;
      // correctDeliverTimestamp: a deliver time beyond now + the level's delay (a clock step back) is now
      if (deliverAt > now + levelDelay) deliverAt = now;
      if (deliverAt > now) {
        nextAt = deliverAt;
        break;
      }
    }
    // the wait for the first entry not due yet, counted from when this run ends (its puts take time)
    const untilNext = (): number => Math.min(Math.max(0, nextAt - this.store.now()), DELAY_FOR_A_PERIOD);
    if (due === 0) return untilNext();

    // puts issued in one turn go into one CommitLog write, in order
    const stored = await this.readMessages(entries, due);
    const puts: Array<Promise<boolean> | boolean> = [];
    for (let i = 0; i < due; i++) puts.push(this.deliverOne(stored[i], cqEntryAt(entries, i).offset));
    const ok = await Promise.all(puts);
    const firstFailed = ok.indexOf(false);
    if (!this.started) return DELAY_FOR_A_WHILE;
    if (firstFailed >= 0) {
      // as syncDeliver: the failed one and those after it are tried again from there
      this.offsetTable.set(level, offset + firstFailed);
      return DELAY_FOR_A_WHILE;
    }
    this.offsetTable.set(level, offset + due);
    if (due < n) return untilNext();
    return n === BATCH ? 0 : DELAY_FOR_A_WHILE;
  }

  /**
   * The messages of the first `n` ConsumeQueue entries. Delayed messages sit side by side in the
   * CommitLog when nothing else is sent, so runs of adjacent entries are read with one read each (at
   * most READ_SPAN bytes, never across files); recent bytes (RocketMQ's in-memory region) with a
   * synchronous copy from the page cache, as the pull path does, older ones off the event loop.
   */
  private async readMessages(entries: Buffer, n: number): Promise<Array<Buffer | undefined>> {
    const cl = this.store.commitLog;
    const max = cl.getMaxOffset();
    const hotFrom = max - memoryForPageCache(this.store.config);
    const out: Array<Buffer | undefined> = new Array(n);
    const reads: Promise<void>[] = [];
    for (let i = 0; i < n; ) {
      const first = cqEntryAt(entries, i);
      const fileEnd = cl.rollNextFile(first.offset);
      let end = first.offset + first.size;
      let j = i + 1;
      for (; j < n; j++) {
        const e = cqEntryAt(entries, j);
        if (e.offset !== end || e.offset + e.size - first.offset > READ_SPAN || e.offset + e.size > fileEnd)
          break;
        end = e.offset + e.size;
      }
      const from = i;
      const to = j;
      const start = first.offset;
      const span = Buffer.allocUnsafe(end - start);
      const scatter = (ok: boolean): void => {
        for (let k = from; k < to; k++) {
          const e = cqEntryAt(entries, k);
          out[k] = ok ? span.subarray(e.offset - start, e.offset - start + e.size) : undefined;
        }
      };
      if (start >= 0 && end <= max && start >= hotFrom) scatter(cl.readIntoSync(start, span, 0, span.length));
      else if (end <= max) reads.push(cl.readInto(start, span, 0, span.length).then(scatter));
      else scatter(false);
      i = j;
    }
    if (reads.length > 0) await Promise.all(reads);
    // an entry whose bytes could not be read in a run is tried alone (lookMessageByOffset)
    for (let k = 0; k < n; k++)
      if (!out[k]) out[k] = (await this.store.lookMessageByOffset(cqEntryAt(entries, k).offset)) ?? undefined;
    return out;
  }

  /** messageTimeup + put; true when stored (or when there is nothing to store at that offset). */
  private deliverOne(stored: Buffer | undefined, commitLogOffset: number): Promise<boolean> | boolean {
    if (!stored) return true; // as 4.9.8: a message that cannot be read is skipped
    const s = scheduledInnerFromStored(stored);
    if (!s) return true;
    const topic = s.realTopic;
    if (!topic || !Number.isInteger(s.realQueueId) || topic === TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC) {
      log.error({ topic, offset: commitLogOffset }, '[BUG] bad real topic of a schedule msg, discarded');
      return true;
    }
    return this.store.putMessage(s.inner).then((r) => {
      if (r.status === 'PUT_OK') return true;
      log.warn({ status: r.status, topic }, 'deliver delayed message failed');
      return false;
    });
  }
}
