import { connect, type Socket } from 'node:net';
import { componentLogger, type Logger } from '../../common/logger.js';
import { type ScheduledTask, Scheduler } from '../../common/scheduler.js';
import { type HASlaveStore, parseHostPort, REPORT_SIZE, TRANSFER_HEADER_SIZE } from './ha-store.js';

export interface HAClientOptions {
  /** Wait before connecting again after a failed connect (RocketMQ: 5 s). */
  reconnectIntervalMs?: number;
  now?: () => number;
}

/** At most this many received bytes go to the CommitLog in one append. */
const MAX_APPEND_BYTES = 4 * 1024 * 1024;

/** Why a link was dropped, for logs and tests. */
export type HAClientEvent = { kind: 'connected'; masterAddr: string } | { kind: 'closed'; why: string };

/**
 * The slave's side of replication (HAService.HAClient): connects to the master's HA port, reports
 * its CommitLog max offset (on connect, after each appended chunk, and every haSendHeartbeatInterval),
 * and appends each chunk as it is, so the CommitLog stays byte-identical. A chunk that does not start
 * at the local end drops the link (RocketMQ skips this check while the slave is empty, which is how a
 * new slave starts at the master's last file); a dropped link is connected again.
 */
export class HAClient {
  readonly log: Logger = componentLogger('ha-client');
  private masterAddress: string | undefined;
  private socket: Socket | undefined;
  private readonly scheduler = new Scheduler(undefined, (task, err) =>
    this.log.warn({ task, err }, 'HA client task failed'),
  );
  private tasks: ScheduledTask[] = [];
  private stopped = true;
  private connecting = false;
  private nextConnectAt = 0;
  private lastWriteTimestamp = 0;
  private lastReadTimestamp = 0;
  private currentReportedOffset = 0;
  /** Received bytes not yet consumed (a chunk's header or body may arrive in pieces). */
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private processing = false;
  private readonly reconnectIntervalMs: number;
  private readonly now: () => number;
  /** Observers of link changes (tests, the broker's logs). */
  onEvent: ((e: HAClientEvent) => void) | undefined;

  constructor(
    private readonly store: HASlaveStore,
    opts: HAClientOptions = {},
  ) {
    this.reconnectIntervalMs = opts.reconnectIntervalMs ?? 5000;
    this.now = opts.now ?? Date.now;
  }

  /** HAService.updateMasterAddress: the next connect goes here; a changed address drops the link. */
  updateMasterAddress(addr: string | undefined): void {
    if (addr === this.masterAddress) return;
    this.log.info({ old: this.masterAddress, new: addr }, 'update master address');
    this.masterAddress = addr;
    this.nextConnectAt = 0;
    if (this.socket) this.closeMaster('master address changed');
    else this.tick();
  }

  getMasterAddress(): string | undefined {
    return this.masterAddress;
  }

  isConnected(): boolean {
    return this.socket !== undefined && !this.connecting;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.tasks.push(this.scheduler.every('ha-client', 1000, () => this.tick(), 0));
  }

  shutdown(): void {
    this.stopped = true;
    for (const t of this.tasks) t.cancel();
    this.tasks = [];
    this.scheduler.stop();
    this.closeMaster('shutdown');
  }

  /** Once a second: connect when needed, heartbeat, and drop a master silent too long. */
  private tick(): void {
    if (this.stopped) return;
    const now = this.now();
    if (!this.socket) {
      if (this.masterAddress && now >= this.nextConnectAt) this.connectMaster(this.masterAddress);
      return;
    }
    if (this.connecting) return;
    const c = this.store.config;
    if (now - this.lastWriteTimestamp > c.haSendHeartbeatInterval) this.report(this.currentReportedOffset);
    // RocketMQ measures its own writes here; the master's heartbeats make the last read the better sign of life
    if (now - this.lastReadTimestamp > c.haHousekeepingInterval) this.closeMaster('master silent too long');
  }

  private connectMaster(addr: string): void {
    const hp = parseHostPort(addr);
    if (!hp) {
      this.log.warn({ addr }, 'bad master HA address');
      this.nextConnectAt = this.now() + this.reconnectIntervalMs;
      return;
    }
    this.connecting = true;
    const s = connect({ host: hp.host, port: hp.port });
    this.socket = s;
    s.setNoDelay(true);
    s.setTimeout(5000);
    s.once('timeout', () => {
      if (this.connecting) s.destroy(new Error('connect timed out'));
    });
    s.once('connect', () => {
      if (this.socket !== s) return;
      this.connecting = false;
      s.setTimeout(0);
      this.lastReadTimestamp = this.now();
      this.currentReportedOffset = this.store.getMaxPhyOffset();
      this.log.info({ master: addr, offset: this.currentReportedOffset }, 'connected to master');
      this.onEvent?.({ kind: 'connected', masterAddr: addr });
      // RocketMQ first reports after haSendHeartbeatInterval; reporting at once starts replication sooner
      this.report(this.currentReportedOffset);
    });
    s.on('data', (d: Buffer) => {
      if (this.socket !== s) return;
      this.lastReadTimestamp = this.now();
      this.pending.push(d);
      this.pendingLen += d.length;
      if (this.pendingLen > 8 * 1024 * 1024) s.pause(); // appends are behind: let TCP push back
      if (!this.processing) void this.process(s);
    });
    s.on('error', (err) => this.log.debug({ err: err.message }, 'HA client socket error'));
    s.on('close', () => {
      if (this.socket === s) this.closeMaster('closed', true);
    });
  }

  private closeMaster(why: string, failed = false): void {
    const s = this.socket;
    if (!s) return;
    const wasConnecting = this.connecting;
    this.socket = undefined;
    this.connecting = false;
    this.pending = [];
    this.pendingLen = 0;
    s.destroy();
    // a refused connect waits before the next try; a broken link is connected again at once
    this.nextConnectAt = wasConnecting && failed ? this.now() + this.reconnectIntervalMs : 0;
    this.log.info({ master: this.masterAddress, why }, 'HA link closed');
    this.onEvent?.({ kind: 'closed', why });
  }

  private report(offset: number): boolean {
    const s = this.socket;
    if (!s || this.connecting) return false;
    const b = Buffer.allocUnsafe(REPORT_SIZE);
    b.writeBigInt64BE(BigInt(offset), 0);
    s.write(b);
    this.lastWriteTimestamp = this.now();
    return true;
  }

  /** Takes `n` bytes off the front of what was received (n <= pendingLen). */
  private take(n: number): Buffer {
    const first = this.pending[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
      this.pendingLen -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const b = this.pending[0]!;
      const k = Math.min(n - got, b.length);
      b.copy(out, got, 0, k);
      got += k;
      if (k === b.length) this.pending.shift();
      else this.pending[0] = b.subarray(k);
    }
    this.pendingLen -= n;
    return out;
  }

  private peekHeader(): { offset: number; size: number } {
    const h = this.pending[0]!.length >= TRANSFER_HEADER_SIZE ? this.pending[0]! : this.concatFront();
    return { offset: Number(h.readBigInt64BE(0)), size: h.readInt32BE(8) };
  }

  private concatFront(): Buffer {
    const all = Buffer.concat(this.pending, this.pendingLen);
    this.pending = [all];
    return all;
  }

  /**
   * dispatchReadRequest: whole chunks, in order. The contiguous whole chunks already received are
   * appended with one write (each still checked to start where the previous ended), so a slave that
   * is behind does not pay a file write per 32 KiB chunk.
   */
  private async process(s: Socket): Promise<void> {
    this.processing = true;
    try {
      while (this.socket === s && this.pendingLen >= TRANSFER_HEADER_SIZE) {
        const slaveOffset = this.store.getMaxPhyOffset();
        const bodies: Buffer[] = [];
        let start = -1;
        let end = -1;
        while (this.pendingLen >= TRANSFER_HEADER_SIZE && end - start < MAX_APPEND_BYTES) {
          const { offset, size } = this.peekHeader();
          // RocketMQ skips the check while the slave is empty: a new slave starts at the master's last file
          const expected = start < 0 ? slaveOffset : end;
          if (offset !== expected && !(start < 0 && slaveOffset === 0)) {
            if (start >= 0) break; // append what lines up first; the next round drops the link
            this.log.error(
              { slave: slaveOffset, master: offset },
              'master pushed offset not equal the max phy offset in slave',
            );
            this.closeMaster(`chunk at ${offset}, slave at ${slaveOffset}`);
            return;
          }
          if (size < 0) {
            this.closeMaster(`bad chunk size ${size}`);
            return;
          }
          if (this.pendingLen < TRANSFER_HEADER_SIZE + size) break;
          this.take(TRANSFER_HEADER_SIZE);
          if (start < 0) start = end = offset;
          if (size > 0) {
            bodies.push(this.take(size));
            end += size;
          }
        }
        if (start < 0) break; // no whole chunk yet
        if (end > start) {
          const data = bodies.length === 1 ? bodies[0]! : Buffer.concat(bodies, end - start);
          if (!(await this.store.appendRawCommitLog(start, data))) {
            if (this.socket === s) this.closeMaster(`append at ${start} refused`);
            return;
          }
        }
        if (this.socket !== s) return;
        // reportSlaveMaxOffsetPlus
        const max = this.store.getMaxPhyOffset();
        if (max > this.currentReportedOffset) {
          this.currentReportedOffset = max;
          this.report(max);
        }
      }
      if (this.socket === s && s.isPaused()) s.resume();
    } catch (err) {
      this.log.error({ err }, 'HA client append failed');
      if (this.socket === s) this.closeMaster(`append failed: ${(err as Error).message}`);
    } finally {
      this.processing = false;
      // the link changed while an append was in flight: the new one may have data waiting
      const now = this.socket;
      if (now && now !== s && this.pendingLen >= TRANSFER_HEADER_SIZE) void this.process(now);
    }
  }
}
