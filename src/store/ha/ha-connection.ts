import type { Socket } from 'node:net';
import type { Logger } from '../../common/logger.js';
import { type HAMasterStore, REPORT_SIZE, TRANSFER_HEADER_SIZE } from './ha-store.js';

/**
 * Chunks read from the CommitLog at once while a slave is behind: one file read (a thread-pool round
 * trip, which on a busy master costs an event-loop turn) then feeds this many haTransferBatchSize
 * chunks, written with one cork, instead of one chunk per turn.
 */
const CHUNKS_PER_READ = 32;

/** What a connection tells its HAService. */
export interface HAConnectionHost {
  readonly store: HAMasterStore;
  readonly log: Logger;
  now(): number;
  notifyTransferSome(offset: number): void;
  removeConnection(conn: HAConnection): void;
  /** Resolves when new CommitLog bytes are written or after `ms`. */
  waitForData(ms: number): Promise<void>;
}

/**
 * One slave on the master (store/ha/HAConnection.java). Reading: the slave's 8-byte reports; the
 * first one is where to start, each later one an acknowledgement. Writing: CommitLog chunks from
 * there, each a 12-byte header (start offset, size) and at most haTransferBatchSize bytes, and a
 * heartbeat header (size 0) after haSendHeartbeatInterval without a write.
 */
export class HAConnection {
  readonly clientAddr: string;
  /** The slave's first report: where it asked to start; -1 until it spoke. */
  slaveRequestOffset = -1;
  /** The slave's last report. */
  slaveAckOffset = -1;
  lastReadTimestamp: number;
  private lastWriteTimestamp = 0;
  private nextTransferFromWhere = -1;
  private partial = Buffer.alloc(REPORT_SIZE);
  private partialLen = 0;
  private closed = false;
  private started = false;

  constructor(
    private readonly host: HAConnectionHost,
    private readonly socket: Socket,
  ) {
    this.clientAddr = `${socket.remoteAddress}:${socket.remotePort}`;
    this.lastReadTimestamp = host.now();
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (err) =>
      host.log.debug({ slave: this.clientAddr, err: err.message }, 'HA socket error'),
    );
    socket.on('close', () => this.close('closed by peer'));
  }

  /** Bytes the slave still lacks, from its last acknowledgement. */
  behindBytes(): number {
    return this.slaveAckOffset < 0
      ? -1
      : Math.max(0, this.host.store.getMaxPhyOffset() - this.slaveAckOffset);
  }

  isClosed(): boolean {
    return this.closed;
  }

  close(why: string): void {
    if (this.closed) return;
    this.closed = true;
    this.host.log.info({ slave: this.clientAddr, why }, 'HA connection closed');
    this.socket.destroy();
    this.host.removeConnection(this);
  }

  private onData(d: Buffer): void {
    this.lastReadTimestamp = this.host.now();
    // as ReadSocketService: only the last whole 8-byte report of what arrived counts
    const total = this.partialLen + d.length;
    const whole = total - (total % REPORT_SIZE);
    if (whole === 0) {
      d.copy(this.partial, this.partialLen);
      this.partialLen = total;
      return;
    }
    const lastStart = whole - REPORT_SIZE; // position in the virtual partial+d stream
    let offset: number;
    if (lastStart >= this.partialLen) offset = Number(d.readBigInt64BE(lastStart - this.partialLen));
    else {
      const b = Buffer.allocUnsafe(REPORT_SIZE);
      this.partial.copy(b, 0, lastStart, this.partialLen);
      d.copy(b, this.partialLen - lastStart, 0, REPORT_SIZE - (this.partialLen - lastStart));
      offset = Number(b.readBigInt64BE(0));
    }
    const rest = total - whole;
    if (rest > 0) d.copy(this.partial, 0, d.length - rest);
    this.partialLen = rest;
    this.onReport(offset);
  }

  private onReport(offset: number): void {
    this.slaveAckOffset = offset;
    if (this.slaveRequestOffset < 0) {
      this.slaveRequestOffset = offset;
      this.host.log.info({ slave: this.clientAddr, offset }, 'slave request offset');
      this.startTransfer();
    } else if (offset > this.host.store.getMaxPhyOffset()) {
      // as 4.9.8: a slave ahead of its master is not ours to feed
      this.close(`slave offset ${offset} is past the master's ${this.host.store.getMaxPhyOffset()}`);
      return;
    }
    this.host.notifyTransferSome(offset);
  }

  private startTransfer(): void {
    if (this.started) return;
    this.started = true;
    const store = this.host.store;
    if (this.slaveRequestOffset === 0) {
      // a new empty slave starts at the master's last CommitLog file, as RocketMQ does
      const max = store.getMaxPhyOffset();
      this.nextTransferFromWhere = Math.max(0, max - (max % store.config.mappedFileSizeCommitLog));
    } else this.nextTransferFromWhere = this.slaveRequestOffset;
    this.host.log.info(
      { slave: this.clientAddr, from: this.nextTransferFromWhere, request: this.slaveRequestOffset },
      'master transfers data',
    );
    this.transferLoop().catch((err: unknown) => this.close(`transfer failed: ${(err as Error).message}`));
  }

  private async transferLoop(): Promise<void> {
    const store = this.host.store;
    const c = store.config;
    while (!this.closed) {
      const batch = Math.max(1, c.haTransferBatchSize);
      const data = await store.readRawCommitLog(this.nextTransferFromWhere, batch * CHUNKS_PER_READ);
      if (this.closed) return;
      if (data && data.length > 0) {
        const from = this.nextTransferFromWhere;
        this.nextTransferFromWhere += data.length;
        await this.write(from, data, batch);
        continue;
      }
      const sinceWrite = this.host.now() - this.lastWriteTimestamp;
      if (sinceWrite > c.haSendHeartbeatInterval) {
        await this.write(this.nextTransferFromWhere, undefined, 0);
        continue;
      }
      await this.host.waitForData(Math.min(100, c.haSendHeartbeatInterval - sinceWrite + 1));
    }
  }

  /** `body` as chunks of at most `batch` bytes, each behind its header; no body: a heartbeat. */
  private write(offset: number, body: Buffer | undefined, batch: number): Promise<void> {
    this.lastWriteTimestamp = this.host.now();
    const s = this.socket;
    const size = body ? body.length : 0;
    const chunks = body ? Math.ceil(size / batch) : 1;
    const headers = Buffer.allocUnsafe(TRANSFER_HEADER_SIZE * chunks);
    s.cork();
    let ok = true;
    for (let i = 0, at = 0; i < chunks; i++, at += batch) {
      const len = Math.min(batch, size - at);
      const h = headers.subarray(i * TRANSFER_HEADER_SIZE, (i + 1) * TRANSFER_HEADER_SIZE);
      h.writeBigInt64BE(BigInt(offset + at), 0);
      h.writeInt32BE(Math.max(0, len), 8);
      ok = s.write(h);
      if (body) ok = s.write(body.subarray(at, at + len));
    }
    s.uncork();
    if (ok) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
    });
  }
}
