import { componentLogger } from '../../common/logger.js';
import type { Scheduler } from '../../common/scheduler.js';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import type { BrokerRemotingServer } from '../network/worker-remoting-server.js';
import type { ConsumerManager } from './consumer-manager.js';
import type { ProducerManager } from './producer-manager.js';

const log = componentLogger('client-housekeeping');

/**
 * ClientHousekeepingService: a connection that closes (or idles out) leaves its producer and consumer
 * groups at once; every 10 s members silent for 120 s are expired.
 */
export class ClientHousekeepingService {
  constructor(
    private readonly producerManager: ProducerManager,
    private readonly consumerManager: ConsumerManager,
    private readonly isNotifyEnabled: (group: string) => boolean,
  ) {}

  attach(server: BrokerRemotingServer, scheduler: Scheduler): void {
    const gone = (ch: RemotingChannel): void => {
      this.producerManager.doChannelCloseEvent(ch);
      this.consumerManager.doChannelCloseEvent(ch, this.isNotifyEnabled);
    };
    server.on('close', gone);
    server.on('idle', gone);
    scheduler.every(
      'client-housekeeping',
      10_000,
      () => {
        this.producerManager.scanNotActiveChannel();
        this.consumerManager.scanNotActiveChannel();
      },
      10_000,
    );
    log.debug('client housekeeping started');
  }
}
