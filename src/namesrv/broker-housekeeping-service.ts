import { componentLogger } from '../common/logger.js';
import type { ScheduledTask, Scheduler } from '../common/scheduler.js';
import type { RemotingChannel } from '../remoting/remoting-channel.js';
import type { RemotingServer } from '../remoting/remoting-server.js';
import type { NamesrvConfig } from './namesrv-config.js';
import type { RouteInfoManager } from './route-info-manager.js';

const log = componentLogger('namesrv.housekeeping');

/**
 * Broker liveness (RocketMQ's BrokerHousekeepingService plus NamesrvController's scan task): a broker
 * whose connection closes or idles out leaves the routes at once; every scanNotActiveBrokerInterval, a
 * broker that has not registered for brokerChannelExpiredTime is removed and its connection closed.
 */
export class BrokerHousekeepingService {
  private task: ScheduledTask | null = null;

  constructor(
    private readonly routeInfoManager: RouteInfoManager,
    private readonly config: NamesrvConfig,
    private readonly scheduler: Scheduler,
  ) {}

  start(server: RemotingServer): void {
    const destroy = (ch: RemotingChannel): void =>
      this.routeInfoManager.onChannelDestroy(ch.remoteAddress, ch);
    server.on('close', destroy);
    server.on('idle', destroy);
    const period = this.config.scanNotActiveBrokerInterval;
    // 4.9.8 scans first after 5 s, then every 10 s.
    this.task = this.scheduler.every(
      'scanNotActiveBroker',
      period,
      () => this.scan(),
      Math.min(5_000, period),
    );
  }

  /** Removes expired brokers now; returns how many. */
  scan(): number {
    const removed = this.routeInfoManager.scanNotActiveBroker(this.config.brokerChannelExpiredTime);
    if (removed > 0) log.info({ removed }, 'removed expired brokers');
    return removed;
  }

  stop(): void {
    this.task?.cancel();
    this.task = null;
  }
}
