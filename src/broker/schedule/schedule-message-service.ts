import { join } from 'node:path';
import { parseLenientJson } from '../../common/lenient-json.js';
import { componentLogger } from '../../common/logger.js';
import { TopicValidator } from '../../common/message-const.js';
import type { ScheduledTask, Scheduler } from '../../common/scheduler.js';
import type { DefaultMessageStore } from '../../store/default-message-store.js';
import type { DispatchRequest } from '../../store/put-message-status.js';
import { PersistQueue, readConfigFile, writeConfigFileAtomically } from '../config-file.js';
import { cqEntryAt } from '../message-inner.js';
import { scheduledInnerFromStored } from './scheduled-message-inner.js';

const log = componentLogger('schedule');

/** ScheduleMessageService's pacing (4.9.8): first run after 1 s, 100 ms after a failed put, 10 s after an error. */
const FIRST_DELAY_TIME = 1000;
const DELAY_FOR_A_WHILE = 100;
const DELAY_FOR_A_PERIOD = 10_000;
/**
 * A level with nothing pending looks again after this long. 4.9.8 polls every 100 ms; here the
 * dispatch of a SCHEDULE_TOPIC_XXXX entry wakes its level (onDispatched), so the poll is only a safety
 * net (entries recovered at start-up are found by the first run).
 */
const IDLE_POLL = 1000;
/** MessageStoreConfig.flushDelayOffsetInterval default. */
export const FLUSH_DELAY_OFFSET_INTERVAL = 10_000;
/** ConsumeQueue entries read per run of a level (one read, then the due ones are put together). */
const BATCH = 1024;
/** Bytes read at once for a run of adjacent delayed messages. */
const READ_SPAN = 1 << 20;
/**
 * Puts of a level that may be unconfirmed at once. Counted in messages, not runs: a level that keeps
 * up runs often with a few due messages each, and a bound on runs made it wait for writes again.
 */
const MAX_PUTS_IN_FLIGHT = 4 * BATCH;

/** A level's delivery cursor: read ahead of offsetTable, which moves only over confirmed puts. */
interface LevelCursor {
  /** next ConsumeQueue offset to read */
  next: number;
  /** bumped when a put fails: puts issued before that no longer move offsetTable */
  generation: number;
  inFlight: Array<Promise<void>>;
  /** puts issued and not yet confirmed */
  puts: number;
  /** the last run's confirmation: each run's is chained to it, so offsetTable only moves forward */
  tail: Promise<void>;
}

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
  /** when each level's armed timer fires (absolute ms) */
  private readonly armedAt = new Map<number, number>();
  /** levels in a run, and the earliest deliver time dispatched meanwhile */
  private readonly running = new Map<number, number>();
  private flushTask: ScheduledTask | undefined;
  private started = false;
  private listening = false;
  private readonly cursors = new Map<number, LevelCursor>();

  constructor(
    private readonly store: DefaultMessageStore,
    private readonly storePathRootDir: string,
    private readonly scheduler: Scheduler,
    /** A delayed message reached its real topic (the broker's stats: enableScheduleMessageStats). */
    private readonly onDelivered?: (realTopic: string, level: number, wroteBytes: number) => void,
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
    if (!this.listening) {
      this.listening = true;
      this.store.addDispatchListener((d) => this.onDispatched(d));
    }
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
    this.armedAt.clear();
    // puts already issued are confirmed (or not) before the offsets are written
    await Promise.all([...this.cursors.values()].flatMap((c) => c.inFlight));
    this.cursors.clear();
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

  /**
   * A SCHEDULE_TOPIC_XXXX entry reached its ConsumeQueue: its level runs when the entry is due, not
   * at the level's next poll. Under load an entry can be dispatched late (its deliver time counts from
   * the store time), even already due; waiting for a 100 ms poll then added to its lag. A level in a
   * run notes the time and looks again when the run ends.
   */
  private onDispatched(d: DispatchRequest): void {
    if (d.topic !== TopicValidator.RMQ_SYS_SCHEDULE_TOPIC || !this.started) return;
    const level = d.queueId + 1;
    const deliverAt = d.tagsCode;
    const inRun = this.running.get(level);
    if (inRun !== undefined) {
      if (deliverAt < inRun) this.running.set(level, deliverAt);
      return;
    }
    const at = this.armedAt.get(level);
    if (at !== undefined && deliverAt >= at) return;
    this.arm(level, deliverAt - this.store.now());
  }

  private arm(level: number, delayMs: number): void {
    if (!this.started) return;
    this.timers.get(level)?.cancel();
    const wait = Math.min(Math.max(0, delayMs), DELAY_FOR_A_PERIOD);
    this.armedAt.set(level, this.store.now() + wait);
    this.timers.set(
      level,
      this.scheduler.once(`schedule-level-${level}`, wait, async () => {
        this.armedAt.delete(level);
        this.timers.delete(level);
        this.running.set(level, Number.POSITIVE_INFINITY);
        let next: number;
        try {
          next = await this.executeOnTimeup(level);
        } catch (err) {
          log.error({ err, level }, 'deliver delayed messages failed');
          next = DELAY_FOR_A_PERIOD;
        }
        const dispatched = this.running.get(level) ?? Number.POSITIVE_INFINITY;
        this.running.delete(level);
        if (next !== DELAY_FOR_A_PERIOD && dispatched !== Number.POSITIVE_INFINITY)
          next = Math.min(next, dispatched - this.store.now());
        this.arm(level, next);
      }),
    );
  }

  private cursorOf(level: number): LevelCursor {
    let c = this.cursors.get(level);
    if (!c) {
      c = {
        next: this.offsetTable.get(level) ?? 0,
        generation: 0,
        inFlight: [],
        puts: 0,
        tail: Promise.resolve(),
      };
      this.cursors.set(level, c);
    }
    return c;
  }

  /**
   * DeliverDelayedMessageTimerTask.executeOnTimeup for one batch; answers when to run next. The next
   * batch does not wait for this one's puts to be written (4.9.8's puts are synchronous appends; here
   * a write round trip under load held the whole level for its duration): the level's cursor reads
   * ahead while offsetTable (delayOffset.json) moves only over puts confirmed in order, so a restart
   * redelivers what was unconfirmed, never skips it. A failed put rewinds both to it, as syncDeliver.
   */
  private async executeOnTimeup(level: number): Promise<number> {
    const cq = this.store.findConsumeQueue(TopicValidator.RMQ_SYS_SCHEDULE_TOPIC, level - 1);
    if (!cq) return IDLE_POLL;
    const cursor = this.cursorOf(level);
    while (cursor.puts >= MAX_PUTS_IN_FLIGHT && cursor.inFlight.length > 0) await cursor.inFlight[0];
    if (!this.started) return DELAY_FOR_A_WHILE;
    let offset = cursor.next;
    const min = cq.getMinOffsetInQueue();
    if (offset < min) {
      log.error({ level, offset, min }, 'schedule CQ offset invalid');
      offset = min;
      cursor.next = offset;
      this.offsetTable.set(level, offset);
    }
    if (offset >= cq.getMaxOffsetInQueue()) return IDLE_POLL;
    const entries = cq.readEntries(offset, BATCH);
    if (!entries || entries.length === 0) return IDLE_POLL;
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
    if (!this.started || cursor.next !== offset) return DELAY_FOR_A_WHILE;
    const puts: Array<Promise<boolean> | boolean> = [];
    for (let i = 0; i < due; i++) puts.push(this.deliverOne(stored[i], cqEntryAt(entries, i).offset, level));
    cursor.next = offset + due;
    const generation = cursor.generation;
    // a put that throws counts as failed from the run's first message (retried, never skipped)
    const all = Promise.all(puts).catch((err: unknown): boolean[] => {
      log.error({ err, level }, 'deliver delayed messages failed');
      return [false];
    });
    cursor.puts += due;
    const confirmed = cursor.tail
      .then(() => all)
      .then((ok) => {
        cursor.inFlight.shift();
        cursor.puts -= due;
        if (cursor.generation !== generation) return;
        const firstFailed = ok.indexOf(false);
        if (firstFailed >= 0) {
          // as syncDeliver: the failed one and those after it are tried again from there
          cursor.generation++;
          cursor.next = offset + firstFailed;
          this.offsetTable.set(level, offset + firstFailed);
          return;
        }
        this.offsetTable.set(level, offset + due);
      });
    cursor.inFlight.push(confirmed);
    cursor.tail = confirmed;
    if (due < n) return untilNext();
    // all read were due: more may have been dispatched meanwhile (4.9.8 waits 100 ms here, which under
    // a backlog added up to 100 ms per round)
    return offset + due < cq.getMaxOffsetInQueue() ? 0 : IDLE_POLL;
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
    const hotFrom = max - cl.memoryForPageCache();
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
  private deliverOne(
    stored: Buffer | undefined,
    commitLogOffset: number,
    level: number,
  ): Promise<boolean> | boolean {
    if (!stored) return true; // as 4.9.8: a message that cannot be read is skipped
    const s = scheduledInnerFromStored(stored, this.store.storeHost);
    if (!s) return true;
    const topic = s.realTopic;
    if (!topic || !Number.isInteger(s.realQueueId) || topic === TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC) {
      log.error({ topic, offset: commitLogOffset }, '[BUG] bad real topic of a schedule msg, discarded');
      return true;
    }
    return this.store.putMessage(s.inner).then((r) => {
      if (r.status === 'PUT_OK') {
        this.onDelivered?.(topic, level, r.result?.wroteBytes ?? 0);
        return true;
      }
      log.warn({ status: r.status, topic }, 'deliver delayed message failed');
      return false;
    });
  }
}
