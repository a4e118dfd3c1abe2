import { componentLogger } from '../common/logger.js';
import { Scheduler } from '../common/scheduler.js';
import type { RemotingChannel, RequestProcessor } from '../remoting/remoting-channel.js';
import { RemotingCommand } from '../remoting/remoting-command.js';
import { RemotingServer } from '../remoting/remoting-server.js';
import { RequestCode } from '../remoting/request-code.js';
import { ResponseCode } from '../remoting/response-code.js';
import { DefaultMessageStore } from '../store/default-message-store.js';
import type { MessageStoreConfig } from '../store/message-store-config.js';
import type { DispatchRequest } from '../store/put-message-status.js';
import { AdvancedMessaging } from './advanced-messaging.js';
import type { BrokerConfig } from './broker-config.js';
import type { BrokerContext } from './broker-context.js';
import { BrokerOuterAPI, type RegisterBrokerResult } from './broker-outer-api.js';
import { ClientHousekeepingService } from './client/client-housekeeping-service.js';
import { type ConsumerGroupEvent, ConsumerManager } from './client/consumer-manager.js';
import { ProducerManager } from './client/producer-manager.js';
import { type BrokerRemotingServer, WorkerRemotingServer } from './network/worker-remoting-server.js';
import { ConsumerOffsetManager } from './offset/consumer-offset-manager.js';
import { lowestCommitLogOffsetToConsume } from './offset/consumer-page-cache-need.js';
import { AdminBrokerProcessor } from './processor/admin-broker-processor.js';
import { AdminMaintenanceProcessor } from './processor/admin-maintenance-processor.js';
import { AdminOffsetProcessor } from './processor/admin-offset-processor.js';
import { ClientManageProcessor } from './processor/client-manage-processor.js';
import { ConsumerManageProcessor } from './processor/consumer-manage-processor.js';
import { ConsumerSendMsgBackProcessor } from './processor/consumer-send-msg-back-processor.js';
import { PullMessageProcessor } from './processor/pull-message-processor.js';
import { QueryMessageProcessor } from './processor/query-message-processor.js';
import { SendMessageProcessor } from './processor/send-message-processor.js';
import { BrokerHA } from './slave/broker-ha.js';
import { BrokerStatsManager } from './stats/broker-stats-manager.js';
import { SubscriptionGroupManager } from './subscription/subscription-group-manager.js';
import { transformTimerMessage } from './timer/timer-message-hook.js';
import { TimerMessageStore } from './timer/timer-message-store.js';
import { TopicConfigManager } from './topic/topic-config-manager.js';

const log = componentLogger('broker');

/**
 * BrokerController: wires the store, the remoting server, the managers and the processors together,
 * and runs the broker's periodic tasks (registration, offset persistence, client housekeeping). It
 * holds no request logic of its own. Replication (issue 6) plugs in through isSlave(), the
 * REGISTER_BROKER results (masterAddr / haServerAddr) and the store's HA hooks.
 */
export class BrokerController implements BrokerContext {
  readonly topicConfigManager: TopicConfigManager;
  readonly consumerOffsetManager: ConsumerOffsetManager;
  readonly subscriptionGroupManager: SubscriptionGroupManager;
  readonly consumerManager: ConsumerManager;
  readonly producerManager = new ProducerManager();
  readonly remotingServer: BrokerRemotingServer;
  readonly brokerOuterAPI = new BrokerOuterAPI();
  readonly scheduler: Scheduler;
  readonly brokerStatsManager: BrokerStatsManager;
  private store: DefaultMessageStore | null = null;
  private sendProcessor!: SendMessageProcessor;
  private pullProcessor!: PullMessageProcessor;
  /** Delay levels, transactions, request/reply (issue 9). */
  advanced: AdvancedMessaging | undefined;
  /** Timer messages (issue 9): the file-backed timing wheel, masters only. */
  timerMessageStore: TimerMessageStore | undefined;
  private ready = false;
  private shuttingDown = false;
  private registering: Promise<void> | null = null;
  private registerAgain: Promise<void> | null = null;
  /** From the last REGISTER_BROKER answer; a slave replicates from here (issue 6). */
  masterAddr: string | undefined;
  masterHaAddr: string | undefined;
  /** HAService (masters) or HAClient and SlaveSynchronize (slaves). */
  readonly ha: BrokerHA;

  constructor(
    readonly brokerConfig: BrokerConfig,
    readonly storeConfig: MessageStoreConfig,
    opts: { scheduler?: Scheduler } = {},
  ) {
    this.scheduler =
      opts.scheduler ??
      new Scheduler(undefined, (name, err) => log.warn({ task: name, err }, 'scheduled task failed'));
    this.brokerStatsManager = new BrokerStatsManager(
      brokerConfig.brokerClusterName,
      brokerConfig.enableDetailStat,
      this.scheduler,
    );
    const root = storeConfig.storePathRootDir;
    this.topicConfigManager = new TopicConfigManager(brokerConfig, root);
    this.consumerOffsetManager = new ConsumerOffsetManager(root);
    this.subscriptionGroupManager = new SubscriptionGroupManager(brokerConfig, root);
    this.consumerManager = new ConsumerManager((event, group, channels) =>
      this.onConsumerIdsChanged(event, group, channels),
    );
    this.topicConfigManager.onTopicCreated = () => this.registerBrokerAll();
    this.ha = new BrokerHA(storeConfig, this.scheduler);
    const serverOptions = {
      host: brokerConfig.bindAddress,
      port: brokerConfig.listenPort,
      maxFrameSize: brokerConfig.frameMaxLength,
      channelIdleTimeoutMs: brokerConfig.serverChannelMaxIdleTimeSeconds * 1000,
    };
    this.remotingServer = brokerConfig.networkWorkerEnable
      ? new WorkerRemotingServer(serverOptions)
      : new RemotingServer(serverOptions);
  }

  get messageStore(): DefaultMessageStore {
    if (!this.store) throw new Error('message store not started');
    return this.store;
  }

  /** brokerIP1:port, with the bound port when listenPort was 0. */
  get brokerAddr(): string {
    return `${this.brokerConfig.brokerIP1}:${this.remotingServer.port || this.brokerConfig.listenPort}`;
  }

  get haServerAddr(): string {
    return `${this.brokerConfig.brokerIP2}:${this.ha.haPort}`;
  }

  haRuntimeInfo(): Record<string, string> {
    return this.ha.runtimeInfo();
  }

  isSlave(): boolean {
    return this.storeConfig.brokerRole === 'SLAVE';
  }

  /** Loads config tables, binds the port, loads (recovers) and starts the store, then registers. */
  async start(): Promise<void> {
    await Promise.all([
      this.topicConfigManager.load(),
      this.consumerOffsetManager.load(),
      this.subscriptionGroupManager.load(),
    ]);
    this.registerProcessors();
    this.brokerStatsManager.start();
    await this.remotingServer.start();
    const store = new DefaultMessageStore(this.storeConfig, {
      storeHost: this.brokerAddr,
      scheduler: this.scheduler,
    });
    await store.load();
    await store.start();
    this.store = store;
    // pages a lagging consumer group or slave has yet to read stay cached
    store.commitLog.dropBehind.neededFrom = () =>
      Math.min(
        lowestCommitLogOffsetToConsume(this.consumerOffsetManager, store),
        this.ha.lowestSlaveOffset(),
      );
    await this.advanced?.start();
    if (this.brokerConfig.timerWheelEnable && !this.isSlave()) {
      const root = this.storeConfig.storePathRootDir;
      this.timerMessageStore = new TimerMessageStore(store, root, this.brokerConfig, this.scheduler);
      await this.timerMessageStore.load();
      this.timerMessageStore.start();
    }
    await this.ha.start(store, this.brokerConfig.bindAddress, {
      topicConfigManager: this.topicConfigManager,
      consumerOffsetManager: this.consumerOffsetManager,
      subscriptionGroupManager: this.subscriptionGroupManager,
      storePathRootDir: this.storeConfig.storePathRootDir,
      brokerAddr: this.brokerAddr,
    });
    store.addDispatchListener((d: DispatchRequest) =>
      this.pullProcessor.holdService.notifyMessageArriving(
        d.topic,
        d.queueId,
        d.consumeQueueOffset + 1,
        d.tagsCode,
      ),
    );
    new ClientHousekeepingService(this.producerManager, this.consumerManager, (g) =>
      this.isNotifyEnabled(g),
    ).attach(this.remotingServer, this.scheduler);
    this.ready = true;

    const b = this.brokerConfig;
    this.scheduler.every('persist-consumer-offset', b.flushConsumerOffsetInterval, () =>
      this.consumerOffsetManager.persist(),
    );
    await this.doRegisterBrokerAll();
    const period = Math.max(10_000, Math.min(b.registerNameServerPeriod, 60_000));
    this.scheduler.every('register-broker', period, () => this.doRegisterBrokerAll(), period);
    log.info(
      { brokerAddr: this.brokerAddr, brokerName: b.brokerName, namesrvAddr: b.namesrvAddr },
      'broker started',
    );
  }

  /**
   * Graceful stop (SIGTERM): stop accepting and close connections, unregister from every NameServer,
   * persist the config tables, flush and close the store.
   */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.ready = false;
    this.scheduler.stop();
    this.brokerStatsManager.shutdown();
    await this.remotingServer.stop();
    this.pullProcessor?.holdService.shutdown();
    if (this.namesrvAddrs().length > 0) {
      await this.brokerOuterAPI.unregisterBrokerAll(
        this.namesrvAddrs(),
        this.brokerConfig.brokerClusterName,
        this.brokerAddr,
        this.brokerConfig.brokerName,
        this.brokerConfig.brokerId,
      );
    }
    await Promise.all([
      this.consumerOffsetManager.persist(),
      this.topicConfigManager.persist(),
      this.subscriptionGroupManager.persist(),
    ]);
    await this.ha.shutdown();
    await this.advanced?.shutdown();
    await this.timerMessageStore?.shutdown();
    if (this.store) await this.store.shutdown();
    await this.brokerOuterAPI.shutdown();
    log.info('broker shut down');
  }

  namesrvAddrs(): string[] {
    return this.brokerConfig.namesrvAddr
      .split(';')
      .map((a) => a.trim())
      .filter((a) => a.length > 0);
  }

  /** Fire-and-forget registration (after a topic change); runs are serialised. */
  registerBrokerAll(): void {
    void this.doRegisterBrokerAll();
  }

  /**
   * One registration at a time; requests arriving meanwhile (a burst of auto-created topics) fold
   * into a single follow-up run, which carries the latest topic table.
   */
  private doRegisterBrokerAll(): Promise<void> {
    if (this.registering) {
      if (!this.registerAgain) {
        this.registerAgain = this.registering.then(() => {
          this.registerAgain = null;
          return this.doRegisterBrokerAll();
        });
      }
      return this.registerAgain;
    }
    const addrs = this.namesrvAddrs();
    if (addrs.length === 0 || this.shuttingDown) return Promise.resolve();
    const wrapper = this.topicConfigManager.buildTopicConfigSerializeWrapper();
    const b = this.brokerConfig;
    // as RocketMQ: a broker without write (or read) permission registers its topics with that permission
    if (b.brokerPermission !== 6) {
      for (const [name, tc] of wrapper.topicConfigTable)
        wrapper.topicConfigTable.set(name, { ...tc, perm: tc.perm & b.brokerPermission });
    }
    this.registering = this.brokerOuterAPI
      .registerBrokerAll(addrs, {
        clusterName: b.brokerClusterName,
        brokerAddr: this.brokerAddr,
        brokerName: b.brokerName,
        brokerId: b.brokerId,
        haServerAddr: this.haServerAddr,
        topicConfigTable: wrapper.topicConfigTable,
        dataVersion: wrapper.dataVersion,
        compressed: b.compressedRegister,
        timeoutMs: b.registerBrokerTimeoutMills,
      })
      .then((results) => this.onRegistered(results))
      .finally(() => {
        this.registering = null;
      });
    return this.registering;
  }

  private onRegistered(results: RegisterBrokerResult[]): void {
    // as doRegisterBrokerAll: nothing changes without an answer; with answers, the master is the one
    // they announce, or none (a master gone from every answering NameServer is not kept)
    if (results.length === 0) return;
    this.masterAddr = results.find((r) => r.masterAddr)?.masterAddr;
    for (const r of results) if (r.haServerAddr) this.masterHaAddr = r.haServerAddr;
    this.ha.onRegistered(this.masterAddr, this.masterHaAddr);
  }

  private isNotifyEnabled(group: string): boolean {
    const sgc = this.subscriptionGroupManager.subscriptionGroupTable.get(group);
    return this.brokerConfig.notifyConsumerIdsChangedEnable && (sgc?.notifyConsumerIdsChangedEnable ?? true);
  }

  /** DefaultConsumerIdsChangeListener: NOTIFY_CONSUMER_IDS_CHANGED (oneway) to every member on CHANGE. */
  private onConsumerIdsChanged(event: ConsumerGroupEvent, group: string, channels: RemotingChannel[]): void {
    if (event !== 'CHANGE' || !this.brokerConfig.notifyConsumerIdsChangedEnable) return;
    for (const ch of channels) {
      if (!ch.isOpen) continue;
      ch.invokeOneway(
        RemotingCommand.request(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, {
          consumerGroup: group,
        }).markOneway(),
      );
    }
  }

  private registerProcessors(): void {
    const server = this.remotingServer;
    const gate =
      (p: RequestProcessor): RequestProcessor =>
      (req, ch, responder) =>
        this.ready
          ? p(req, ch, responder)
          : req.createResponse(ResponseCode.SYSTEM_BUSY, 'broker is starting or stopping, try again later');
    this.sendProcessor = new SendMessageProcessor(this);
    this.pullProcessor = new PullMessageProcessor(this);
    this.sendProcessor.timerMessageHook = (m) =>
      transformTimerMessage(m, this.brokerConfig, () => this.messageStore.now());
    const send = gate(this.sendProcessor.process);
    for (const code of [
      RequestCode.SEND_MESSAGE,
      RequestCode.SEND_MESSAGE_V2,
      RequestCode.SEND_BATCH_MESSAGE,
    ])
      server.registerProcessor(code, send);
    server.registerProcessor(
      RequestCode.CONSUMER_SEND_MSG_BACK,
      gate(new ConsumerSendMsgBackProcessor(this).process),
    );
    server.registerProcessor(RequestCode.PULL_MESSAGE, gate(this.pullProcessor.process));
    const query = gate(new QueryMessageProcessor(this).process);
    server.registerProcessor(RequestCode.QUERY_MESSAGE, query);
    server.registerProcessor(RequestCode.VIEW_MESSAGE_BY_ID, query);
    const client = gate(new ClientManageProcessor(this).process);
    for (const code of [
      RequestCode.HEART_BEAT,
      RequestCode.UNREGISTER_CLIENT,
      RequestCode.CHECK_CLIENT_CONFIG,
    ])
      server.registerProcessor(code, client);
    const consumer = gate(new ConsumerManageProcessor(this).process);
    for (const code of [
      RequestCode.GET_CONSUMER_LIST_BY_GROUP,
      RequestCode.UPDATE_CONSUMER_OFFSET,
      RequestCode.QUERY_CONSUMER_OFFSET,
    ]) {
      server.registerProcessor(code, consumer);
    }
    const admin = new AdminBrokerProcessor(this, {
      msgPutTotal: () => this.sendProcessor.putCount,
      msgGetTotal: () => this.pullProcessor.getCount,
      sendQueueSize: () => this.sendProcessor.backPressure.outstanding,
      sendQueueHeadWaitMs: () => this.sendProcessor.backPressure.headWaitMs(),
      pullHeldCount: () => this.pullProcessor.holdService.heldCount,
    });
    const adminGated = gate(admin.process);
    for (const code of admin.codes) server.registerProcessor(code, adminGated);
    const offsets = new AdminOffsetProcessor(this);
    const offsetsGated = gate(offsets.process);
    for (const code of offsets.codes) server.registerProcessor(code, offsetsGated);
    const maintenance = new AdminMaintenanceProcessor(this);
    const maintenanceGated = gate(maintenance.process);
    for (const code of maintenance.codes) server.registerProcessor(code, maintenanceGated);
    this.advanced = new AdvancedMessaging(this, this.scheduler);
    this.advanced.registerProcessors(server, gate);
    // AdminBrokerProcessor.getUnknownCmdResponse, the broker's default processor
    server.registerDefaultProcessor((req) =>
      req.createResponse(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ` request type ${req.code} not supported`),
    );
  }
}
