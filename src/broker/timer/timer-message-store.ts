import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { componentLogger } from '../../common/logger.js';
import type { MessageExtBrokerInner } from '../../common/message.js';
import { TopicValidator } from '../../common/message-const.js';
import type { ScheduledTask, Scheduler } from '../../common/scheduler.js';
import type { DefaultMessageStore } from '../../store/default-message-store.js';
import type { PutMessageStatus } from '../../store/put-message-status.js';
import { TimerCheckpoint } from './timer-checkpoint.js';
import { reputFromStored } from './timer-convert.js';
import { encodeUnit, MAGIC_DEFAULT, MAGIC_ROLL, readLong, TimerLog, UNIT_SIZE } from './timer-log.js';
import { TimerWheel } from './timer-wheel.js';

const log = componentLogger('timer');
const TIMER_TOPIC = TopicValidator.RMQ_SYS_WHEEL_TIMER_TOPIC;
/** Timer ConsumeQueue entries linked per run. */
const ENQUEUE_BATCH = 8192;
/** Units of one slot delivered per run (a bigger slot goes on in the next run, after enqueue). */
const DELIVER_BATCH = 8192;
/**
 * Units read and put per wave. Between waves the walk yields to the event loop, so pull requests are
 * served while a big slot is delivered, and the wave's puts are not awaited: up to MAX_UNCONFIRMED
 * messages stay in the CommitLog's write pipeline while the next wave is read.
 */
const WAVE_UNITS = 256;
const MAX_UNCONFIRMED = 8192;
/** Empty slots stepped over per run while catching up. */
const MAX_SLOTS_PER_RUN = 10_000;
/** Longest idle wait: how soon a newly stored timer is linked. */
const IDLE_POLL_MS = 20;
const RETRY_PUT_MS = 100;
const CLEAN_INTERVAL_MS = 60_000;
/**
 * CommitLog reads of one wave are merged when the gap between two messages is at most a page: the
 * messages of one slot are usually scattered (sent at any time before they are due), and merging wider
 * gaps copies far more than it saves in calls.
 */
const READ_GAP = 4096;
const READ_MAX = 1024 * 1024;
/** Message bytes of one wave at most (the rest of the slot goes in the next wave). */
const WAVE_BYTES = 16 * 1024 * 1024;

export interface TimerStoreConfig {
  timerPrecisionMs: number;
  timerWheelSlots: number;
  timerRollWindowSlot: number;
  timerFlushIntervalMs: number;
  mappedFileSizeTimerLog: number;
}

/** Statuses after which the message is stored (or never will be): no retry (RocketMQ 5 doPut). */
function settled(status: PutMessageStatus): 'ok' | 'drop' | 'retry' {
  switch (status) {
    case 'PUT_OK':
    case 'FLUSH_DISK_TIMEOUT':
    case 'FLUSH_SLAVE_TIMEOUT':
    case 'SLAVE_NOT_AVAILABLE':
      return 'ok';
    case 'MESSAGE_ILLEGAL':
    case 'PROPERTIES_SIZE_EXCEEDED':
      return 'drop';
    default:
      return 'retry';
  }
}

/**
 * TimerMessageStore (RocketMQ 5 store/timer): timers at any wall-clock time without a JS timer per
 * message. Enqueue reads rmq_sys_wheel_timer's ConsumeQueue (so what is pending is in the CommitLog:
 * crash-safe and replicated) whose tags codes are the due times, appends one TimerLog unit per entry
 * and links it into the wheel slot of its time (rounded up: never early). Dequeue walks each due
 * slot's chain, reads the messages from the CommitLog and puts them back into REAL_TOPIC / REAL_QID in
 * batches; a unit further out than the roll window sits in the window's last slot and is re-put into
 * the timer topic when that comes (a roll, as RocketMQ 5, which also keeps the CommitLog copy young).
 * One sequential loop does enqueue, dequeue and the checkpoint (config/timercheck), so the three
 * always agree. Memory: the wheel buffer and a bounded block cache, whatever the number of timers.
 * Masters only; a slave keeps the ConsumeQueue and delivers nothing.
 */
export class TimerMessageStore {
  readonly timerLog: TimerLog;
  readonly wheel: TimerWheel;
  readonly checkpoint: TimerCheckpoint;
  readonly precisionMs: number;
  private readonly rollWindowMs: number;
  /** Next slot time to deliver (RocketMQ's currReadTimeMs). */
  currReadTimeMs = 0;
  /** Next timer ConsumeQueue offset to link (currQueueOffset). */
  currQueueOffset = 0;
  /** Where the walk of slot currReadTimeMs stopped, when it spans several runs. */
  private walkPos: number | undefined;
  private running = false;
  private task: ScheduledTask | undefined;
  private inFlight: Promise<void> | undefined;
  private lastFlushAt = 0;
  private lastCleanAt = 0;
  private readonly enqueueBuf = Buffer.allocUnsafe(ENQUEUE_BATCH * UNIT_SIZE);
  private readonly batchSlots = new Float64Array(ENQUEUE_BATCH);
  /** Newest unit per slot within the batch being encoded (its units chain to each other first). */
  private readonly batchLast = new Map<number, number>();
  // one wave of a slot's units, as parallel arrays (no object per unit)
  private readonly wOffset = new Float64Array(DELIVER_BATCH);
  private readonly wSize = new Int32Array(DELIVER_BATCH);
  private readonly wDeliver = new Float64Array(DELIVER_BATCH);
  private readonly wMagic = new Int32Array(DELIVER_BATCH);
  readonly stats = { enqueued: 0, delivered: 0, rolled: 0, dropped: 0 };

  constructor(
    private readonly store: DefaultMessageStore,
    private readonly rootDir: string,
    cfg: TimerStoreConfig,
    private readonly scheduler: Scheduler,
  ) {
    this.precisionMs = Math.max(1, Math.floor(cfg.timerPrecisionMs));
    const slots = Math.max(16, Math.floor(cfg.timerWheelSlots));
    // the roll window must leave the wheel room to lap without meeting itself (RocketMQ: 2 of 7 days)
    const window = Math.max(1, Math.min(Math.floor(cfg.timerRollWindowSlot), slots - 8));
    this.rollWindowMs = window * this.precisionMs;
    this.timerLog = new TimerLog(rootDir, cfg.mappedFileSizeTimerLog);
    this.wheel = new TimerWheel(rootDir, slots, this.precisionMs);
    this.checkpoint = new TimerCheckpoint(rootDir);
    this.flushIntervalMs = Math.max(10, cfg.timerFlushIntervalMs);
  }

  private readonly flushIntervalMs: number;

  private align(ms: number): number {
    return Math.floor(ms / this.precisionMs) * this.precisionMs;
  }

  /**
   * Recovery (TimerMessageStore.recover): the checkpoint says how far delivery and enqueue got and
   * where the TimerLog was durable; units after that point are linked into the wheel again (the wheel
   * file may be older than them) and move the enqueue offset past what they hold.
   */
  async load(): Promise<void> {
    mkdirSync(join(this.rootDir, 'config'), { recursive: true });
    const has = await this.checkpoint.load();
    await this.wheel.load();
    const now = this.store.now();
    this.currReadTimeMs = has ? this.align(this.checkpoint.lastReadTimeMs) : this.align(now);
    let maxQueueOffset = -1;
    let relinked = 0;
    const from = this.wheel.rebuilt ? 0 : this.checkpoint.lastTimerLogFlushPos;
    await this.timerLog.load(from, (pos, u) => {
      if (u.queueOffset > maxQueueOffset) maxQueueOffset = u.queueOffset;
      if (u.slotTimeMs < this.currReadTimeMs) return;
      const s = this.wheel.getSlot(u.slotTimeMs);
      if (s.timeMs === -1) this.wheel.putSlot(u.slotTimeMs, pos, pos, 1);
      else if (pos > s.lastPos) this.wheel.putSlot(u.slotTimeMs, s.firstPos, pos, s.num + 1);
      else return;
      relinked++;
    });
    this.currQueueOffset = Math.max(has ? this.checkpoint.lastTimerQueueOffset : 0, maxQueueOffset + 1);
    await this.timerLog.openAll();
    log.info(
      {
        readTime: new Date(this.currReadTimeMs).toISOString(),
        queueOffset: this.currQueueOffset,
        timerLogPos: this.timerLog.writePos,
        relinked,
        wheelRebuilt: this.wheel.rebuilt,
      },
      'timer message store loaded',
    );
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.lastFlushAt = this.lastCleanAt = this.store.now();
    this.arm(0);
  }

  /** Stops the loop after its current run, then makes everything durable (clean stop: exactly once). */
  async shutdown(): Promise<void> {
    const wasRunning = this.running;
    this.running = false;
    this.task?.cancel();
    await this.inFlight;
    if (wasRunning) await this.doCheckpoint();
    await this.timerLog.close();
    await this.wheel.close();
  }

  /** Stops without saving anything (what a kill -9 leaves behind), for crash tests. */
  async abort(): Promise<void> {
    this.running = false;
    this.task?.cancel();
    await this.inFlight;
    await this.timerLog.close();
    await this.wheel.close(false);
  }

  runtimeInfo(stats: Record<string, string>): void {
    stats.timerReadBehind = String(Math.max(0, this.store.now() - this.currReadTimeMs));
    stats.timerOffsetBehind = String(
      Math.max(0, this.store.getMaxOffsetInQueue(TIMER_TOPIC, 0) - this.currQueueOffset),
    );
    stats.timerCommitLogPos = String(this.timerLog.writePos);
  }

  private arm(delayMs: number): void {
    if (!this.running) return;
    this.task = this.scheduler.once('timer-message-store', delayMs, () => {
      this.inFlight = this.runOnce().then(
        (next) => {
          this.inFlight = undefined;
          this.arm(next);
        },
        (err: unknown) => {
          this.inFlight = undefined;
          log.error({ err }, 'timer loop failed');
          this.arm(1000);
        },
      );
      return this.inFlight;
    });
  }

  /** One run: link what arrived, deliver what is due, checkpoint when it is time; answers the next wait. */
  async runOnce(): Promise<number> {
    const linked = await this.enqueue();
    const delivered = await this.dequeue();
    const now = this.store.now();
    if (now - this.lastFlushAt >= this.flushIntervalMs) {
      this.lastFlushAt = now;
      await this.doCheckpoint();
    }
    if (now - this.lastCleanAt >= CLEAN_INTERVAL_MS) {
      this.lastCleanAt = now;
      await this.cleanTimerLog();
    }
    if (linked || delivered) return 0;
    return Math.max(1, Math.min(IDLE_POLL_MS, this.currReadTimeMs + 1 - this.store.now()));
  }

  /** TimerEnqueueGetService + TimerEnqueuePutService: links one batch of the timer queue; true if any. */
  private async enqueue(): Promise<boolean> {
    const cq = this.store.findConsumeQueue(TIMER_TOPIC, 0);
    if (!cq) return false;
    const min = cq.getMinOffsetInQueue();
    if (this.currQueueOffset < min) {
      log.warn({ from: this.currQueueOffset, to: min }, 'timer queue offset below the queue, moved up');
      this.currQueueOffset = min;
    }
    const off = this.currQueueOffset;
    const max = cq.getMaxOffsetInQueue();
    if (off >= max) return false;
    const entries = cq.readEntries(off, Math.min(ENQUEUE_BATCH, max - off));
    if (!entries || entries.length === 0) return false;
    const n = entries.length / 20;
    const out = this.enqueueBuf;
    const base = this.timerLog.writePos;
    // a slot whose walk is under way takes no new units (the walk would not see them)
    const nearest = this.walkPos === undefined ? this.currReadTimeMs : this.currReadTimeMs + this.precisionMs;
    const p = this.precisionMs;
    for (let i = 0; i < n; i++) {
      const e = i * 20;
      const deliverMs = readLong(entries, e + 12);
      let slot: number;
      let magic = MAGIC_DEFAULT;
      if (deliverMs <= nearest) slot = nearest;
      else {
        slot = Math.ceil(deliverMs / p) * p;
        if (slot - this.currReadTimeMs >= this.rollWindowMs) {
          slot = this.currReadTimeMs + this.rollWindowMs;
          magic = MAGIC_ROLL;
        }
      }
      const pos = base + i * UNIT_SIZE;
      const prev = this.batchLast.get(slot);
      this.batchLast.set(slot, pos);
      this.batchSlots[i] = slot;
      encodeUnit(out, i * UNIT_SIZE, {
        prevPos: prev ?? this.wheel.lastPosOf(slot),
        magic,
        slotTimeMs: slot,
        deliverMs,
        offsetPy: readLong(entries, e),
        sizePy: entries.readInt32BE(e + 8),
        queueOffset: off + i,
      });
    }
    this.batchLast.clear();
    // linked only once written: a failed write leaves the wheel as it was, and the batch is retried
    await this.timerLog.append(out.subarray(0, n * UNIT_SIZE));
    for (let i = 0; i < n; i++) this.wheel.link(this.batchSlots[i]!, base + i * UNIT_SIZE);
    this.currQueueOffset = off + n;
    this.stats.enqueued += n;
    return true;
  }

  /** TimerDequeueGetService + TimerDequeuePutMessageService for the slots now due; true if it delivered. */
  private async dequeue(): Promise<boolean> {
    let steps = 0;
    let any = false;
    while (this.running && this.currReadTimeMs < this.store.now() && steps < MAX_SLOTS_PER_RUN) {
      const t = this.currReadTimeMs;
      const slot = this.wheel.getSlot(t);
      if (slot.timeMs === t && slot.num > 0) {
        let pos = this.walkPos ?? slot.lastPos;
        let n = 0;
        let bytes = 0;
        while (pos >= 0 && n < DELIVER_BATCH && bytes < WAVE_BYTES) {
          const u = this.timerLog.readUnit(pos);
          if (!u || u.slotTimeMs !== t) {
            log.warn({ pos, slot: t }, 'timer log unit unreadable or of another slot, chain cut');
            pos = -1;
            break;
          }
          this.wOffset[n] = u.offsetPy;
          this.wSize[n] = u.sizePy;
          this.wDeliver[n] = u.deliverMs;
          this.wMagic[n] = u.magic;
          bytes += u.sizePy;
          n++;
          pos = pos === slot.firstPos || u.prevPos >= pos ? -1 : u.prevPos;
        }
        if (n > 0) {
          await this.deliverRun(n);
          any = true;
        }
        if (pos >= 0) {
          this.walkPos = pos;
          return true; // the rest of this slot in the next run, after enqueue had its turn
        }
      }
      this.walkPos = undefined;
      this.currReadTimeMs = t + this.precisionMs;
      steps++;
    }
    return any;
  }

  /**
   * Delivers the n units gathered in the w* arrays, WAVE_UNITS at a time: each wave is read and its puts
   * issued (in order, so the CommitLog keeps the walk's order), then the walk yields to I/O; puts are
   * awaited only when MAX_UNCONFIRMED are outstanding, and all of them before this returns, so the
   * checkpoint after a run never names a slot whose messages are not stored.
   */
  private async deliverRun(n: number): Promise<void> {
    const puts: Promise<void>[] = [];
    const sizes: number[] = [];
    let unconfirmed = 0;
    let oldest = 0;
    for (let from = 0; from < n; from += WAVE_UNITS) {
      const to = Math.min(n, from + WAVE_UNITS);
      const inners = this.convertWave(from, to, await this.readWave(from, to));
      puts.push(this.putWave(inners));
      sizes.push(inners.length);
      unconfirmed += inners.length;
      while (unconfirmed > MAX_UNCONFIRMED) {
        await puts[oldest];
        unconfirmed -= sizes[oldest++]!;
      }
      if (to < n) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await Promise.all(puts);
  }

  /**
   * The messages of units [from, to), indexed by unit: neighbours (at most READ_GAP apart) in one read,
   * all of them into one buffer. The reads are synchronous page-cache copies, as
   * ConsumeQueue.readEntries: a wave's messages are spread over the CommitLog, and a libuv round trip
   * per message costs far more than the copy (a read thread was measured: see docs/benchmarks.md).
   */
  private async readWave(from: number, to: number): Promise<(Buffer | undefined)[]> {
    const n = to - from;
    const order = Array.from({ length: n }, (_, i) => from + i).sort(
      (a, b) => this.wOffset[a]! - this.wOffset[b]!,
    );
    // runs of neighbours in `order`: where each run ends, and its bytes (gaps included)
    const runEnds: number[] = [];
    const runLens: number[] = [];
    let total = 0;
    for (let k = 0; k < n; ) {
      const start = this.wOffset[order[k]!]!;
      let end = start + this.wSize[order[k]!]!;
      let j = k + 1;
      while (j < n) {
        const o = this.wOffset[order[j]!]!;
        const e = o + this.wSize[order[j]!]!;
        if (o > end + READ_GAP || e - start > READ_MAX) break;
        if (e > end) end = e;
        j++;
      }
      runEnds.push(j);
      runLens.push(end - start);
      total += end - start;
      k = j;
    }
    const wave = Buffer.allocUnsafe(total);
    const commitLog = this.store.commitLog;
    const bufs: (Buffer | undefined)[] = new Array(to);
    let k = 0;
    let at = 0;
    for (let r = 0; r < runEnds.length; r++) {
      const start = this.wOffset[order[k]!]!;
      const got = commitLog.readIntoSync(start, wave, at, runLens[r]!);
      for (let m = k; m < runEnds[r]!; m++) {
        const i = order[m]!;
        if (got) {
          const o = at + this.wOffset[i]! - start;
          bufs[i] = wave.subarray(o, o + this.wSize[i]!);
        } else {
          // the range crosses a file end or reaches a deleted file: one message at a time
          bufs[i] = (await commitLog.getData(this.wOffset[i]!, this.wSize[i]!)) ?? undefined;
        }
      }
      k = runEnds[r]!;
      at += runLens[r]!;
    }
    return bufs;
  }

  /** The re-puts of units [from, to) from their stored bytes (see reputFromStored). */
  private convertWave(from: number, to: number, bufs: (Buffer | undefined)[]): MessageExtBrokerInner[] {
    const now = this.store.now();
    const own = this.store.storeHost;
    const inners: MessageExtBrokerInner[] = [];
    for (let i = from; i < to; i++) {
      const b = bufs[i];
      if (!b || b.length < 8 || b.readInt32BE(0) !== this.wSize[i]) {
        log.warn({ offset: this.wOffset[i] }, 'timer message gone from the CommitLog, skipped');
        this.stats.dropped++;
        continue;
      }
      const inner = reputFromStored(b, this.wDeliver[i]! > now, now, TIMER_TOPIC, own);
      if (inner) inners.push(inner);
      else {
        log.error({ offset: this.wOffset[i] }, '[BUG] timer message without a real topic, discarded');
        this.stats.dropped++;
      }
    }
    return inners;
  }

  /** Puts a wave's messages; a put the store may take later is retried until it settles or we stop. */
  private async putWave(inners: MessageExtBrokerInner[]): Promise<void> {
    let pending = inners;
    while (pending.length > 0) {
      const results = await Promise.all(pending.map((m) => this.store.putMessage(m)));
      const again: MessageExtBrokerInner[] = [];
      for (let i = 0; i < results.length; i++) {
        const verdict = settled(results[i]!.status);
        if (verdict === 'retry') again.push(pending[i]!);
        else if (verdict === 'drop') {
          this.stats.dropped++;
          log.error(
            { status: results[i]!.status, topic: pending[i]!.topic },
            'timer message refused by the store, dropped',
          );
        } else if (pending[i]!.topic === TIMER_TOPIC) this.stats.rolled++;
        else this.stats.delivered++;
      }
      pending = again;
      if (pending.length > 0) {
        if (!this.running) return; // the slot is walked again after the restart
        log.warn({ count: pending.length }, 'timer message put failed, retrying');
        await new Promise((r) => setTimeout(r, RETRY_PUT_MS));
      }
    }
  }

  /** TimerLog durable, then the wheel, then timercheck naming both (the order recovery relies on). */
  private async doCheckpoint(): Promise<void> {
    const cp = this.checkpoint;
    const pos = this.timerLog.writePos;
    const readTime = this.currReadTimeMs;
    const queueOffset = this.currQueueOffset;
    await this.timerLog.flush();
    await this.wheel.flush();
    cp.lastReadTimeMs = readTime;
    cp.lastTimerLogFlushPos = pos;
    cp.lastTimerQueueOffset = queueOffset;
    cp.masterTimerQueueOffset = queueOffset;
    await cp.flush(this.store.now());
  }

  /** Deletes TimerLog files no live slot points into (RocketMQ 5 cleans them by the same rule). */
  private async cleanTimerLog(): Promise<void> {
    const min = this.wheel.minFirstPos(this.currReadTimeMs, this.timerLog.writePos);
    const deleted = await this.timerLog.deleteFilesBefore(min);
    if (deleted > 0) log.info({ deleted, below: min }, 'timer log files deleted');
  }
}
