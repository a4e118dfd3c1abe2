import { componentLogger } from '../../common/logger.js';
import type { ScheduledTask, Scheduler } from '../../common/scheduler.js';
import type { DefaultMessageStore } from '../../store/default-message-store.js';
import { HAClient } from '../../store/ha/ha-client.js';
import { HAService } from '../../store/ha/ha-service.js';
import type { MessageStoreConfig } from '../../store/message-store-config.js';
import { SlaveSynchronize, type SlaveSynchronizeHost } from './slave-synchronize.js';

const log = componentLogger('broker-ha');

/**
 * The broker's replication role (BrokerController's HA parts): a master runs the HAService (and,
 * as SYNC_MASTER, holds sends for a slave's ack); a slave runs the HAClient towards the master's HA
 * address (haMasterAddress, else what REGISTER_BROKER answered) and SlaveSynchronize every 10 s.
 */
export class BrokerHA {
  private haService: HAService | undefined;
  private haClient: HAClient | undefined;
  private slaveSync: SlaveSynchronize | undefined;
  private syncTask: ScheduledTask | undefined;
  /** RocketMQ's updateMasterHAServerAddrPeriodically: no haMasterAddress configured. */
  private haAddrFromNamesrv = false;

  constructor(
    private readonly storeConfig: MessageStoreConfig,
    private readonly scheduler: Scheduler,
  ) {}

  get isSlave(): boolean {
    return this.storeConfig.brokerRole === 'SLAVE';
  }

  /** The bound HA port of a master (the configured one until started; 0 for a slave). */
  get haPort(): number {
    return this.haService?.port || this.storeConfig.haListenPort;
  }

  async start(store: DefaultMessageStore, bindAddress: string, sync: SlaveSynchronizeHost): Promise<void> {
    if (!this.isSlave) {
      const ha = new HAService(store);
      await ha.start(bindAddress);
      store.setReplicaWaiter(ha);
      this.haService = ha;
      return;
    }
    const client = new HAClient(store);
    const configured = this.storeConfig.haMasterAddress;
    if (configured && configured.length >= 6) client.updateMasterAddress(configured);
    else this.haAddrFromNamesrv = true;
    client.start();
    this.haClient = client;
    this.slaveSync = new SlaveSynchronize(sync);
    this.syncTask = this.scheduler.every('slave-synchronize', 10_000, () => this.slaveSync?.syncAll(), 3000);
  }

  /**
   * From a REGISTER_BROKER answer: the master's broker and HA addresses (a slave's only). As
   * BrokerController.doRegisterBrokerAll: the HA address is only ever replaced (the HAClient keeps
   * trying a dead master until a new one is announced), while SlaveSynchronize takes masterAddr as it
   * is, so an answer without one (the master gone from the NameServer) stops the metadata copy
   * instead of leaving it aimed at a stale address.
   */
  onRegistered(masterAddr: string | undefined, masterHaAddr: string | undefined): void {
    if (!this.isSlave) return;
    if (this.haAddrFromNamesrv && masterHaAddr) this.haClient?.updateMasterAddress(masterHaAddr);
    const addr = masterAddr || undefined;
    if (this.slaveSync && addr !== this.slaveSync.masterAddr) {
      log.info(
        { masterAddr: addr ?? null },
        addr ? 'slave synchronizes from master' : 'no master to synchronize from',
      );
      this.slaveSync.masterAddr = addr;
      if (addr) void this.slaveSync.syncAll();
    }
  }

  /** Where SlaveSynchronize copies metadata from (a slave's master; undefined when none is known). */
  get slaveSyncMasterAddr(): string | undefined {
    return this.slaveSync?.masterAddr;
  }

  /** Lowest CommitLog offset a slave of this master has yet to receive (Infinity: none, or not a master). */
  lowestSlaveOffset(): number {
    return this.haService?.lowestSlaveOffset() ?? Number.POSITIVE_INFINITY;
  }

  /** HA state for GET_BROKER_RUNTIME_INFO. */
  runtimeInfo(): Record<string, string> {
    if (this.haService) return this.haService.runtimeInfo();
    if (this.haClient)
      return {
        haMasterAddress: this.haClient.getMasterAddress() ?? '',
        haConnected: String(this.haClient.isConnected()),
      };
    return {};
  }

  async shutdown(): Promise<void> {
    this.syncTask?.cancel();
    this.haClient?.shutdown();
    await this.haService?.shutdown();
    await this.slaveSync?.shutdown();
  }
}
