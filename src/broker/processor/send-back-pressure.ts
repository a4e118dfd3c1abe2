import type { BrokerContext } from '../broker-context.js';

/**
 * The broker's fast failure for sends (BrokerFastFailure + the send thread pool's bounded queue). In
 * RocketMQ a send waits in a queue for a thread; one that waited longer than waitTimeMillsInSendQueue is
 * answered SYSTEM_BUSY, and a full queue rejects with SYSTEM_BUSY too. Here sends wait for the store
 * instead, so the same two limits apply to that wait: too many puts outstanding, or the store has not
 * completed any put for longer than waitTimeMillsInSendQueue. Either way the client is told, never
 * left to time out. Two counters and a timestamp: nothing per message, not even a clock read (~80 ns
 * here): a completed put only notes progress, and the next check dates it.
 */
export class SendBackPressure {
  private inflight = 0;
  /** When the store last made progress (or the first put of a busy period started). */
  private lastProgress = 0;
  /** The CommitLog's written position when check() last looked. */
  private lastWritten = 0;
  /** A put started or completed since check() last looked. */
  private progressed = false;

  constructor(private readonly ctx: BrokerContext) {}

  get outstanding(): number {
    return this.inflight;
  }

  /** undefined to go ahead, or the SYSTEM_BUSY remark. */
  check(): string | undefined {
    const b = this.ctx.brokerConfig;
    if (this.inflight >= b.sendThreadPoolQueueCapacity) {
      return '[OVERLOAD]system busy, start flow control for a while';
    }
    if (!b.brokerFastFailureEnable || this.inflight === 0) return undefined;
    // puts that are written and only wait for a slave (SYNC_MASTER) or a flush are past the store:
    // in 4.9.8 those waits hold no send thread (asyncSendMessage), so they must not look like a
    // stalled store; the store stalls when bytes wait to be written and none have been for a while
    const now = Date.now();
    const cl = this.ctx.messageStore.commitLog;
    if (cl) {
      const written = cl.mappedFileQueue?.committedWhere ?? 0;
      if (written !== this.lastWritten || cl.isIdle()) {
        this.lastWritten = written;
        this.progressed = true;
      }
    }
    if (this.progressed) {
      this.progressed = false;
      this.lastProgress = now;
    }
    const waited = now - this.lastProgress;
    if (waited > b.waitTimeMillsInSendQueue) {
      return `[TIMEOUT_CLEAN_QUEUE]broker busy, start flow control for a while, period in queue: ${waited}ms, size of queue: ${this.inflight}`;
    }
    if (this.ctx.messageStore.isOSPageCacheBusy?.()) {
      return `[PCBUSY_CLEAN_QUEUE]broker busy, start flow control for a while, period in queue: ${waited}ms, size of queue: ${this.inflight}`;
    }
    return undefined;
  }

  /** How long sends have waited without the store making progress (0 when none wait). */
  headWaitMs(): number {
    return this.inflight === 0 || this.progressed ? 0 : Date.now() - this.lastProgress;
  }

  begin(): void {
    // dated now (once a busy period, not per put): a first put that stalls counts from its start
    if (this.inflight++ === 0) {
      this.lastProgress = Date.now();
      this.progressed = false;
    }
  }

  end(): void {
    this.inflight--;
    this.progressed = true;
  }
}
