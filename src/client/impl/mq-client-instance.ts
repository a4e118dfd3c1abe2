import { componentLogger } from '../../common/logger.js';
import { Scheduler } from '../../common/scheduler.js';
import type { HeartbeatData } from '../../remoting/protocol/body/heartbeat-data.js';
import {
  type BrokerData,
  encodeTopicRouteData,
  type TopicRouteData,
} from '../../remoting/protocol/route/topic-route-data.js';
import { RemotingClient } from '../../remoting/remoting-client.js';
import { buildClientId, parseNamesrvAddr, type ResolvedClientConfig } from '../client-config.js';
import { MQClientError } from '../errors.js';
import { ProducerImpl } from '../producer/producer-impl.js';
import { RequestFutureTable } from '../producer/request-future-table.js';
import {
  topicRouteDataToPublishInfo,
  topicRouteDataToSubscribeInfo,
} from '../producer/topic-publish-info.js';
import { registerClientProcessors } from './client-remoting-processor.js';
import { MQClientAPI } from './mq-client-api.js';
import type { MQConsumerInner, MQProducerInner } from './mq-client-inner.js';

const log = componentLogger('client');
const MASTER_ID = 0;
const DEFAULT_TOPIC = 'TBW102';

export interface FindBrokerResult {
  brokerAddr: string;
  slave: boolean;
}

/**
 * The connections and tables producers and consumers of one client id share
 * (client/.../impl/factory/MQClientInstance.java): topic routes refreshed every 30 s, heartbeats to
 * every broker every 30 s, consumer offsets persisted every 5 s, rebalance every 20 s and at once when a
 * broker says the group changed (NOTIFY_CONSUMER_IDS_CHANGED).
 */
export class MQClientInstance {
  readonly clientId: string;
  readonly api: MQClientAPI;
  readonly remoting: RemotingClient;
  readonly namesrvAddrs: readonly string[];
  /** Requests waiting for their reply (Producer.request). */
  readonly requestFutures = new RequestFutureTable();
  private readonly scheduler = new Scheduler(undefined, (name, err) =>
    log.warn({ err, task: name }, 'periodic task failed'),
  );
  private readonly producers = new Map<string, MQProducerInner>();
  private readonly consumers = new Map<string, MQConsumerInner>();
  private readonly topicRouteTable = new Map<string, TopicRouteData>();
  private readonly brokerAddrTable = new Map<string, Map<number, string>>();
  private started = false;
  private stopped = false;
  private rebalanceRunning: Promise<void> | undefined;
  private rebalanceAgain = false;
  private routeUpdates = new Map<string, Promise<boolean>>();
  private inner: ProducerImpl | undefined;

  constructor(
    readonly config: ResolvedClientConfig,
    private readonly onShutdown: (instance: MQClientInstance) => void = () => {},
  ) {
    this.clientId = buildClientId(config);
    this.remoting = new RemotingClient({ connectTimeoutMs: 3000 });
    this.namesrvAddrs = parseNamesrvAddr(config.namesrvAddr);
    this.api = new MQClientAPI(this.remoting, this.namesrvAddrs);
    registerClientProcessors(this);
  }

  selectProducer(group: string): MQProducerInner | undefined {
    return this.producers.get(group);
  }

  selectConsumer(group: string): MQConsumerInner | undefined {
    return this.consumers.get(group);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const c = this.config;
    this.scheduler.every(
      'updateTopicRouteInfoFromNameServer',
      c.pollNameServerInterval,
      () => this.updateAllTopicRoutes(),
      10,
    );
    this.scheduler.every(
      'sendHeartbeatToAllBroker',
      c.heartbeatBrokerInterval,
      async () => {
        this.cleanOfflineBroker();
        await this.sendHeartbeatToAllBroker();
      },
      1000,
    );
    this.scheduler.every(
      'persistAllConsumerOffset',
      c.persistConsumerOffsetInterval,
      () => this.persistAllConsumerOffset(),
      10_000,
    );
    this.scheduler.every('rebalance', 20_000, () => this.doRebalance(), 20_000);
  }

  /**
   * The instance's own producer (CLIENT_INNER_PRODUCER), used by consumers to re-send a message to
   * %RETRY%group when CONSUMER_SEND_MSG_BACK fails. It does not keep the instance alive.
   */
  innerProducer(): ProducerImpl {
    this.inner ??= new ProducerImpl(this, {
      group: 'CLIENT_INNER_PRODUCER',
      sendMsgTimeout: 3000,
      retryTimesWhenSendFailed: 2,
      retryAnotherBrokerWhenNotStoreOK: false,
      compressMsgBodyOverHowmuch: 4096,
      compressLevel: 5,
      maxMessageSize: 4 * 1024 * 1024,
      defaultTopicQueueNums: 4,
      createTopicKey: 'TBW102',
      sendLatencyFaultEnable: true,
    });
    return this.inner;
  }

  private allProducers(): MQProducerInner[] {
    const list = [...this.producers.values()];
    if (this.inner) list.push(this.inner);
    return list;
  }

  registerProducer(p: MQProducerInner): void {
    if (this.producers.has(p.group)) {
      throw new MQClientError(
        `The producer group[${p.group}] has been created before, specify another name please.`,
      );
    }
    this.producers.set(p.group, p);
  }

  registerConsumer(c: MQConsumerInner): void {
    if (this.consumers.has(c.group)) {
      throw new MQClientError(
        `The consumer group[${c.group}] has been created before in client ${this.clientId}; give this consumer another instanceName`,
      );
    }
    this.consumers.set(c.group, c);
  }

  /** UNREGISTER_CLIENT to every broker, then shuts the instance down when nobody uses it any more. */
  async unregisterProducer(group: string): Promise<void> {
    if (!this.producers.delete(group)) return;
    await this.unregisterClient({ producerGroup: group });
    await this.shutdownIfUnused();
  }

  async unregisterConsumer(group: string): Promise<void> {
    if (!this.consumers.delete(group)) return;
    await this.unregisterClient({ consumerGroup: group });
    await this.shutdownIfUnused();
  }

  private async unregisterClient(groups: { producerGroup?: string; consumerGroup?: string }): Promise<void> {
    const calls: Promise<void>[] = [];
    for (const addrs of this.brokerAddrTable.values()) {
      for (const addr of addrs.values()) {
        calls.push(
          this.api
            .unregisterClient(addr, this.clientId, groups, this.config.requestTimeoutMs)
            .catch((err: unknown) => {
              log.warn({ err, addr }, 'unregister client failed');
            }),
        );
      }
    }
    await Promise.all(calls);
  }

  private async shutdownIfUnused(): Promise<void> {
    if (this.producers.size > 0 || this.consumers.size > 0) return;
    await this.shutdown();
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.scheduler.stop();
    this.requestFutures.failAll();
    this.onShutdown(this);
    await this.remoting.shutdown();
  }

  // ---- routes ----

  private async updateAllTopicRoutes(): Promise<void> {
    const topics = new Set<string>();
    for (const c of this.consumers.values()) for (const s of c.subscriptions()) topics.add(s.topic);
    for (const p of this.allProducers()) for (const t of p.publishTopics()) topics.add(t);
    await Promise.all([...topics].map((t) => this.updateTopicRouteInfoFromNameServer(t)));
  }

  /**
   * Fetches a topic's route and hands it to every producer and consumer. With `defaultTopicQueueNums`,
   * a topic the NameServer does not know gets TBW102's route with at most that many queues, so that the
   * first send makes the broker create it (autoCreateTopicEnable), as DefaultMQProducerImpl does.
   * Concurrent calls for one topic share one request.
   */
  updateTopicRouteInfoFromNameServer(topic: string, defaultTopicQueueNums?: number): Promise<boolean> {
    const key = defaultTopicQueueNums === undefined ? topic : `${topic}\u0000default`;
    let p = this.routeUpdates.get(key);
    if (!p) {
      p = this.doUpdateTopicRoute(topic, defaultTopicQueueNums).finally(() => this.routeUpdates.delete(key));
      this.routeUpdates.set(key, p);
    }
    return p;
  }

  private async doUpdateTopicRoute(topic: string, defaultTopicQueueNums?: number): Promise<boolean> {
    if (this.stopped) return false;
    let route: TopicRouteData;
    try {
      if (defaultTopicQueueNums !== undefined) {
        route = await this.api.getTopicRouteInfoFromNameServer(DEFAULT_TOPIC, this.config.requestTimeoutMs);
        for (const qd of route.queueDatas) {
          const n = Math.min(defaultTopicQueueNums, qd.readQueueNums);
          qd.readQueueNums = n;
          qd.writeQueueNums = n;
        }
      } else {
        route = await this.api.getTopicRouteInfoFromNameServer(topic, this.config.requestTimeoutMs);
      }
    } catch (err) {
      log.debug({ err, topic }, 'no route from the NameServer');
      return false;
    }
    const old = this.topicRouteTable.get(topic);
    const changed = !old || encodeTopicRouteData(old).toString() !== encodeTopicRouteData(route).toString();
    if (!changed && !this.isNeedUpdateTopicRouteInfo(topic)) return false;
    let newBroker = false;
    for (const bd of route.brokerDatas) {
      if (!this.brokerAddrTable.has(bd.brokerName)) newBroker = true;
      this.brokerAddrTable.set(bd.brokerName, new Map(bd.brokerAddrs));
    }
    const publishInfo = topicRouteDataToPublishInfo(topic, route);
    publishInfo.haveTopicRouterInfo = true;
    for (const p of this.allProducers()) p.updateTopicPublishInfo(topic, publishInfo);
    const subscribeInfo = topicRouteDataToSubscribeInfo(topic, route);
    for (const c of this.consumers.values()) c.updateTopicSubscribeInfo(topic, subscribeInfo);
    this.topicRouteTable.set(topic, route);
    if (changed) log.debug({ topic }, 'topic route changed');
    // a broker we did not know yet learns of us now rather than at the next 30 s heartbeat, so that it
    // can reach a transaction producer for check-backs or push a reply to a requester at once
    if (newBroker && this.started) void this.sendHeartbeatToAllBroker();
    return true;
  }

  private isNeedUpdateTopicRouteInfo(topic: string): boolean {
    for (const p of this.allProducers()) if (p.isPublishTopicNeedUpdate(topic)) return true;
    for (const c of this.consumers.values()) if (c.isSubscribeTopicNeedUpdate(topic)) return true;
    return false;
  }

  getTopicRouteData(topic: string): TopicRouteData | undefined {
    return this.topicRouteTable.get(topic);
  }

  /** Drops brokers that no route mentions any more (cleanOfflineBroker). */
  private cleanOfflineBroker(): void {
    const live = new Set<string>();
    for (const route of this.topicRouteTable.values())
      for (const bd of route.brokerDatas) live.add(bd.brokerName);
    for (const name of [...this.brokerAddrTable.keys()])
      if (!live.has(name)) this.brokerAddrTable.delete(name);
  }

  findBrokerAddressInPublish(brokerName: string): string | undefined {
    return this.brokerAddrTable.get(brokerName)?.get(MASTER_ID);
  }

  /**
   * The address for offset requests (findBrokerAddressInAdmin): the master, else any slave of the
   * group, so a consumer keeps committing offsets while the master is down (RocketMQ 4.x
   * RemoteBrokerOffsetStore does the same; the restarted master gets them on the next commit).
   */
  findBrokerAddressInAdmin(brokerName: string): string | undefined {
    const addrs = this.brokerAddrTable.get(brokerName);
    if (!addrs || addrs.size === 0) return undefined;
    return addrs.get(MASTER_ID) ?? addrs.values().next().value;
  }

  /** The address to pull from: the suggested broker id, else (unless `onlyThisBroker`) any of the group. */
  findBrokerAddressInSubscribe(
    brokerName: string,
    brokerId: number,
    onlyThisBroker: boolean,
  ): FindBrokerResult | undefined {
    const addrs = this.brokerAddrTable.get(brokerName);
    if (!addrs || addrs.size === 0) return undefined;
    const exact = addrs.get(brokerId);
    if (exact) return { brokerAddr: exact, slave: brokerId !== MASTER_ID };
    if (onlyThisBroker) return undefined;
    const [id, addr] = addrs.entries().next().value as [number, string];
    return { brokerAddr: addr, slave: id !== MASTER_ID };
  }

  /** Any broker serving the topic: a random group's master, else one of its slaves (findBrokerAddrByTopic). */
  findBrokerAddrByTopic(topic: string): string | undefined {
    const route = this.topicRouteTable.get(topic);
    if (!route || route.brokerDatas.length === 0) return undefined;
    const bd: BrokerData = route.brokerDatas[Math.floor(Math.random() * route.brokerDatas.length)]!;
    return bd.brokerAddrs.get(MASTER_ID) ?? bd.brokerAddrs.values().next().value;
  }

  async findConsumerIdList(topic: string, group: string): Promise<string[] | undefined> {
    let addr = this.findBrokerAddrByTopic(topic);
    if (!addr) {
      await this.updateTopicRouteInfoFromNameServer(topic);
      addr = this.findBrokerAddrByTopic(topic);
    }
    if (!addr) return undefined;
    try {
      return await this.api.getConsumerIdListByGroup(addr, group, this.config.requestTimeoutMs);
    } catch (err) {
      log.warn({ err, addr, group }, 'getConsumerIdListByGroup failed');
      return undefined;
    }
  }

  // ---- heartbeats, offsets, rebalance ----

  private heartbeatData(): HeartbeatData {
    return {
      clientID: this.clientId,
      producerDataSet: [...this.producers.keys()].map((groupName) => ({ groupName })),
      consumerDataSet: [...this.consumers.values()].map((c) => ({
        groupName: c.group,
        consumeType: c.consumeType,
        messageModel: c.messageModel,
        consumeFromWhere: c.consumeFromWhere,
        subscriptionDataSet: c.subscriptions(),
        unitMode: false,
      })),
    };
  }

  /** HEART_BEAT to every broker (only masters when there are no consumers, as RocketMQ). */
  async sendHeartbeatToAllBroker(): Promise<void> {
    if (this.stopped) return;
    const data = this.heartbeatData();
    if (data.producerDataSet.length === 0 && data.consumerDataSet.length === 0) return;
    const calls: Promise<void>[] = [];
    for (const addrs of this.brokerAddrTable.values()) {
      for (const [id, addr] of addrs) {
        if (id !== MASTER_ID && data.consumerDataSet.length === 0) continue;
        calls.push(
          this.api.sendHeartbeat(addr, data, this.config.requestTimeoutMs).catch((err: unknown) => {
            log.debug({ err, addr }, 'heartbeat failed');
          }),
        );
      }
    }
    await Promise.all(calls);
  }

  async persistAllConsumerOffset(): Promise<void> {
    await Promise.all([...this.consumers.values()].map((c) => c.persistConsumerOffset()));
  }

  /** Wakes the rebalance service now; overlapping requests fold into one more run. */
  rebalanceImmediately(): void {
    if (this.stopped) return;
    void this.doRebalance();
  }

  doRebalance(): Promise<void> {
    if (this.rebalanceRunning) {
      this.rebalanceAgain = true;
      return this.rebalanceRunning;
    }
    this.rebalanceRunning = (async () => {
      do {
        this.rebalanceAgain = false;
        for (const c of [...this.consumers.values()]) {
          try {
            await c.doRebalance();
          } catch (err) {
            log.warn({ err, group: c.group }, 'rebalance failed');
          }
        }
      } while (this.rebalanceAgain && !this.stopped);
    })().finally(() => {
      this.rebalanceRunning = undefined;
    });
    return this.rebalanceRunning;
  }
}
