import { componentLogger } from '../common/logger.js';
import { Scheduler } from '../common/scheduler.js';
import { RemotingServer } from '../remoting/remoting-server.js';
import { BrokerHousekeepingService } from './broker-housekeeping-service.js';
import { KVConfigManager } from './kv-config-manager.js';
import type { NamesrvConfig } from './namesrv-config.js';
import { adminProcessors } from './processor/admin-processor.js';
import { brokerRegistrationProcessors } from './processor/broker-registration-processor.js';
import { kvConfigProcessors } from './processor/kv-config-processor.js';
import type { NamesrvContext } from './processor/namesrv-context.js';
import { routeQueryProcessors } from './processor/route-query-processor.js';
import { RouteInfoManager } from './route-info-manager.js';

const log = componentLogger('namesrv');

/** Wires a NameServer together: tables, processors, housekeeping, the remoting server. No logic of its own. */
export class NamesrvController {
  readonly routeInfoManager: RouteInfoManager;
  readonly kvConfigManager: KVConfigManager;
  readonly remotingServer: RemotingServer;
  private readonly scheduler = new Scheduler(undefined, (name, err) =>
    log.warn({ err, task: name }, 'task failed'),
  );
  private readonly housekeeping: BrokerHousekeepingService;

  constructor(readonly config: NamesrvConfig) {
    this.routeInfoManager = new RouteInfoManager();
    this.kvConfigManager = new KVConfigManager(config.kvConfigPath);
    this.housekeeping = new BrokerHousekeepingService(this.routeInfoManager, config, this.scheduler);
    this.remotingServer = new RemotingServer({
      host: config.bindAddress,
      port: config.listenPort,
      channelIdleTimeoutMs: config.serverChannelMaxIdleTimeSeconds * 1000,
    });
    const ctx: NamesrvContext = {
      config,
      routeInfoManager: this.routeInfoManager,
      kvConfigManager: this.kvConfigManager,
    };
    for (const table of [
      kvConfigProcessors(ctx),
      brokerRegistrationProcessors(ctx),
      routeQueryProcessors(ctx),
      adminProcessors(ctx),
    ]) {
      for (const [code, processor] of table) this.remotingServer.registerProcessor(code, processor);
    }
  }

  /** Loads the KV config, then listens. */
  async start(): Promise<void> {
    await this.kvConfigManager.load();
    await this.remotingServer.start();
    // With listenPort 0, GET_NAMESRV_CONFIG shows the port actually bound, as the reference shows its own.
    this.config.listenPort = this.remotingServer.port;
    this.housekeeping.start(this.remotingServer);
  }

  /** The bound port (the chosen one when listenPort is 0). */
  get port(): number {
    return this.remotingServer.port;
  }

  /** Stops accepting, closes connections, stops timers, makes sure the KV config is on disk. */
  async shutdown(): Promise<void> {
    this.housekeeping.stop();
    this.scheduler.stop();
    await this.remotingServer.stop();
    await this.kvConfigManager.flush();
  }
}
