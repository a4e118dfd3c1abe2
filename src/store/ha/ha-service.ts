import { createServer, type Server, type Socket } from 'node:net';
import { componentLogger, type Logger } from '../../common/logger.js';
import { MessageConst } from '../../common/message-const.js';
import { getPropertyFromString } from '../../common/message-properties.js';
import { type ScheduledTask, Scheduler } from '../../common/scheduler.js';
import type { PutMessageResult } from '../put-message-status.js';
import { GroupTransferService } from './group-transfer-service.js';
import { HAConnection, type HAConnectionHost } from './ha-connection.js';
import type { HAMasterStore } from './ha-store.js';

/** One slave as GET_BROKER_RUNTIME_INFO shows it. */
export interface HASlaveInfo {
  addr: string;
  ackOffset: number;
  behindBytes: number;
}

/**
 * The master's side of replication (store/ha/HAService.java): accepts slaves on haListenPort, one
 * HAConnection each, tracks the highest offset any slave acknowledged (push2SlaveMaxOffset), and
 * holds SYNC_MASTER puts until a slave has their bytes.
 */
export class HAService implements HAConnectionHost {
  readonly log: Logger = componentLogger('ha');
  private server: Server | undefined;
  private readonly connections = new Set<HAConnection>();
  private readonly groupTransfer: GroupTransferService;
  private readonly scheduler = new Scheduler(undefined, (task, err) =>
    this.log.warn({ task, err }, 'HA task failed'),
  );
  private housekeeping: ScheduledTask | undefined;
  private push2SlaveMaxOffset = 0;
  private wakers = new Set<() => void>();

  constructor(
    readonly store: HAMasterStore,
    readonly nowFn: () => number = Date.now,
  ) {
    this.groupTransfer = new GroupTransferService(nowFn);
    store.addDispatchListener(() => this.wakeup());
  }

  now(): number {
    return this.nowFn();
  }

  /** Listens on haListenPort (0: an ephemeral port, see `port`). */
  async start(host?: string): Promise<void> {
    const server = createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.store.config.haListenPort, host, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.log.error({ err }, 'HA server error'));
    this.server = server;
    this.housekeeping = this.scheduler.every('ha-housekeeping', 1000, () => this.checkExpired());
    this.log.info({ port: this.port }, 'HA service listening');
  }

  /** The bound HA port. */
  get port(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  async shutdown(): Promise<void> {
    this.housekeeping?.cancel();
    this.scheduler.stop();
    for (const c of [...this.connections]) c.close('shutdown');
    this.groupTransfer.shutdown();
    this.wakeup();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private accept(socket: Socket): void {
    const conn = new HAConnection(this, socket);
    this.connections.add(conn);
    this.log.info({ slave: conn.clientAddr }, 'HA service receives a new connection');
  }

  removeConnection(conn: HAConnection): void {
    this.connections.delete(conn);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** As ReadSocketService: a slave silent for haHousekeepingInterval is dropped. */
  private checkExpired(): void {
    const now = this.now();
    const limit = this.store.config.haHousekeepingInterval;
    for (const c of this.connections)
      if (now - c.lastReadTimestamp > limit) c.close(`no report for ${now - c.lastReadTimestamp} ms`);
  }

  notifyTransferSome(offset: number): void {
    if (offset > this.push2SlaveMaxOffset) {
      this.push2SlaveMaxOffset = offset;
      this.groupTransfer.notifyTransferSome(offset);
    }
  }

  getPush2SlaveMaxOffset(): number {
    return this.push2SlaveMaxOffset;
  }

  /** A slave is connected and lags less than haSlaveFallbehindMax behind `masterPutWhere`. */
  isSlaveOK(masterPutWhere: number): boolean {
    return (
      this.connections.size > 0 &&
      masterPutWhere - this.push2SlaveMaxOffset < this.store.config.haSlaveFallbehindMax
    );
  }

  waitForData(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wakers = this.wakers;
      const done = (): void => {
        clearTimeout(t);
        wakers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      wakers.add(done);
    });
  }

  private wakeup(): void {
    if (this.wakers.size === 0) return;
    const w = this.wakers;
    this.wakers = new Set();
    for (const f of w) f();
  }

  get synchronous(): boolean {
    return this.store.config.brokerRole === 'SYNC_MASTER';
  }

  /**
   * CommitLog.submitReplicaRequest for a finished put: with SYNC_MASTER and a message that waits
   * (WAIT not "false"), the answer waits for a slave's ack of its end offset, up to slaveTimeout
   * (FLUSH_SLAVE_TIMEOUT), or is SLAVE_NOT_AVAILABLE at once when no slave can take it.
   */
  afterPut(
    r: PutMessageResult,
    propertiesString: string | undefined,
  ): Promise<PutMessageResult> | PutMessageResult {
    const c = this.store.config;
    if (c.brokerRole !== 'SYNC_MASTER') return r;
    if (r.status !== 'PUT_OK' && r.status !== 'FLUSH_DISK_TIMEOUT') return r;
    if (
      propertiesString &&
      getPropertyFromString(propertiesString, MessageConst.PROPERTY_WAIT_STORE_MSG_OK) === 'false'
    )
      return r;
    const end = putEndOffset(r);
    if (end < 0) return r;
    if (!this.isSlaveOK(end)) {
      r.status = 'SLAVE_NOT_AVAILABLE';
      return r;
    }
    return this.groupTransfer.waitFor(end, c.slaveTimeout).then((ok) => {
      if (!ok) r.status = 'FLUSH_SLAVE_TIMEOUT';
      return r;
    });
  }

  /**
   * Lowest offset a connected slave has yet to receive (Infinity with none, or none reporting yet):
   * the CommitLog's drop-behind keeps it cached, as it keeps a lagging consumer's.
   */
  lowestSlaveOffset(): number {
    let lowest = Number.POSITIVE_INFINITY;
    for (const c of this.connections)
      if (c.slaveAckOffset >= 0 && c.slaveAckOffset < lowest) lowest = c.slaveAckOffset;
    return lowest;
  }

  /** Slaves as GET_BROKER_RUNTIME_INFO shows them. */
  slaves(): HASlaveInfo[] {
    return [...this.connections].map((c) => ({
      addr: c.clientAddr,
      ackOffset: c.slaveAckOffset,
      behindBytes: c.behindBytes(),
    }));
  }

  /** HA keys of GET_BROKER_RUNTIME_INFO (4.9.8 reports none; these are CometMQ's). */
  runtimeInfo(): Record<string, string> {
    const slaves = this.slaves();
    const behind = slaves.reduce((m, s) => Math.max(m, s.behindBytes), 0);
    return {
      haConnectionCount: String(slaves.length),
      haPush2SlaveMaxOffset: String(this.push2SlaveMaxOffset),
      haSlaveFallBehindBytes: String(
        slaves.length > 0 ? Math.max(0, this.store.getMaxPhyOffset() - this.push2SlaveMaxOffset) : -1,
      ),
      haSlaves: slaves.map((s) => `${s.addr}@${s.ackOffset}/${s.behindBytes}`).join(';'),
      haMaxSlaveBehindBytes: String(behind),
    };
  }
}

function putEndOffset(r: PutMessageResult): number {
  let end = -1;
  if (r.result) end = r.result.wroteOffset + r.result.wroteBytes;
  if (r.results) for (const x of r.results) end = Math.max(end, x.wroteOffset + x.wroteBytes);
  return end;
}
