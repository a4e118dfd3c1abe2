import { componentLogger } from '../common/logger.js';
import {
  type BrokerData,
  type DataVersion,
  dataVersionEquals,
  MASTER_ID,
  PermName,
  type QueueData,
  type TopicConfig,
  type TopicRouteData,
  TopicSysFlag,
} from '../remoting/protocol/route/route-data.js';

const log = componentLogger('namesrv.route');

/** What the NameServer needs of a broker's connection: to close it when the broker expires. */
export interface BrokerChannel {
  close(): void;
}

export interface BrokerLiveInfo {
  lastUpdateTimestamp: number;
  dataVersion: DataVersion;
  channel: BrokerChannel;
  haServerAddr: string;
}

export interface RegisterBrokerRequest {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
  haServerAddr: string;
  topicConfigTable: Map<string, TopicConfig>;
  dataVersion: DataVersion;
  /** null: leave the filter server table as it is (the pre-3.0.11 request form). */
  filterServerList: string[] | null;
  channel: BrokerChannel;
}

export interface RegisterBrokerResult {
  /** For a slave: its master's HA address and broker address, once the master is registered and live. */
  haServerAddr?: string;
  masterAddr?: string;
}

export interface TopicList {
  topicList: string[];
  brokerAddr?: string;
}

export interface ClusterInfo {
  brokerAddrTable: Map<string, BrokerData>;
  clusterAddrTable: Map<string, Set<string>>;
}

/**
 * The NameServer's route tables, with RocketMQ 4.9.8's RouteInfoManager semantics: topics and their
 * queues per broker group, broker groups and their addresses per brokerId, clusters, and the liveness of
 * each broker address. In memory only; rebuilt from registrations after a restart.
 */
export class RouteInfoManager {
  readonly topicQueueTable = new Map<string, Map<string, QueueData>>();
  readonly brokerAddrTable = new Map<string, BrokerData>();
  readonly clusterAddrTable = new Map<string, Set<string>>();
  readonly brokerLiveTable = new Map<string, BrokerLiveInfo>();
  readonly filterServerTable = new Map<string, string[]>();

  constructor(private readonly now: () => number = Date.now) {}

  registerBroker(req: RegisterBrokerRequest): RegisterBrokerResult {
    const { clusterName, brokerAddr, brokerName, brokerId } = req;
    let brokerNames = this.clusterAddrTable.get(clusterName);
    if (!brokerNames) {
      brokerNames = new Set();
      this.clusterAddrTable.set(clusterName, brokerNames);
    }
    brokerNames.add(brokerName);

    let registerFirst = false;
    let brokerData = this.brokerAddrTable.get(brokerName);
    if (!brokerData) {
      registerFirst = true;
      brokerData = { cluster: clusterName, brokerName, brokerAddrs: new Map() };
      this.brokerAddrTable.set(brokerName, brokerData);
    }
    // A slave promoted to master re-registers the same address under id 0: one address, one id.
    for (const [id, addr] of brokerData.brokerAddrs) {
      if (addr === brokerAddr && id !== brokerId) brokerData.brokerAddrs.delete(id);
    }
    const oldAddr = brokerData.brokerAddrs.get(brokerId);
    brokerData.brokerAddrs.set(brokerId, brokerAddr);
    registerFirst ||= oldAddr === undefined;

    // Only a master's topics make routes, and only when its topic config changed (or it is new here).
    if (
      brokerId === MASTER_ID &&
      (registerFirst || this.isBrokerTopicConfigChanged(brokerAddr, req.dataVersion))
    ) {
      for (const tc of req.topicConfigTable.values()) this.createAndUpdateQueueData(brokerName, tc);
    }

    const prev = this.brokerLiveTable.get(brokerAddr);
    this.brokerLiveTable.set(brokerAddr, {
      lastUpdateTimestamp: this.now(),
      dataVersion: req.dataVersion,
      channel: req.channel,
      haServerAddr: req.haServerAddr,
    });
    if (!prev) log.info({ brokerAddr, haServerAddr: req.haServerAddr }, 'new broker registered');

    if (req.filterServerList !== null) {
      if (req.filterServerList.length === 0) this.filterServerTable.delete(brokerAddr);
      else this.filterServerTable.set(brokerAddr, req.filterServerList);
    }

    const result: RegisterBrokerResult = {};
    if (brokerId !== MASTER_ID) {
      const masterAddr = brokerData.brokerAddrs.get(MASTER_ID);
      const masterLive = masterAddr === undefined ? undefined : this.brokerLiveTable.get(masterAddr);
      if (masterAddr !== undefined && masterLive) {
        result.haServerAddr = masterLive.haServerAddr;
        result.masterAddr = masterAddr;
      }
    }
    return result;
  }

  isBrokerTopicConfigChanged(brokerAddr: string, dataVersion: DataVersion): boolean {
    return !dataVersionEquals(this.brokerLiveTable.get(brokerAddr)?.dataVersion, dataVersion);
  }

  queryBrokerTopicConfig(brokerAddr: string): DataVersion | undefined {
    return this.brokerLiveTable.get(brokerAddr)?.dataVersion;
  }

  updateBrokerInfoUpdateTimestamp(brokerAddr: string, timestamp = this.now()): void {
    const live = this.brokerLiveTable.get(brokerAddr);
    if (live) live.lastUpdateTimestamp = timestamp;
  }

  private createAndUpdateQueueData(brokerName: string, tc: TopicConfig): void {
    const qd: QueueData = {
      brokerName,
      readQueueNums: tc.readQueueNums,
      writeQueueNums: tc.writeQueueNums,
      perm: tc.perm,
      topicSysFlag: tc.topicSysFlag,
    };
    let queueDataMap = this.topicQueueTable.get(tc.topicName);
    if (!queueDataMap) {
      queueDataMap = new Map();
      this.topicQueueTable.set(tc.topicName, queueDataMap);
      log.info({ topic: tc.topicName, brokerName }, 'new topic registered');
    }
    queueDataMap.set(brokerName, qd);
  }

  /** WIPE_WRITE_PERM_OF_BROKER: clears the write bit on every queue of the broker group; returns the topic count. */
  wipeWritePermOfBroker(brokerName: string): number {
    return this.operateWritePermOfBroker(brokerName, (perm) => perm & ~PermName.PERM_WRITE);
  }

  /** ADD_WRITE_PERM_OF_BROKER: as 4.9.8, sets perm to exactly READ|WRITE (6), whatever it was. */
  addWritePermOfBroker(brokerName: string): number {
    return this.operateWritePermOfBroker(brokerName, () => PermName.PERM_READ | PermName.PERM_WRITE);
  }

  private operateWritePermOfBroker(brokerName: string, change: (perm: number) => number): number {
    let topicCnt = 0;
    for (const queueDataMap of this.topicQueueTable.values()) {
      const qd = queueDataMap.get(brokerName);
      if (qd) {
        qd.perm = change(qd.perm);
        topicCnt++;
      }
    }
    return topicCnt;
  }

  unregisterBroker(clusterName: string, brokerAddr: string, brokerName: string, brokerId: number): void {
    this.brokerLiveTable.delete(brokerAddr);
    this.filterServerTable.delete(brokerAddr);
    const brokerData = this.brokerAddrTable.get(brokerName);
    if (!brokerData) return;
    // As 4.9.8: the entry under brokerId goes, whatever address it holds.
    brokerData.brokerAddrs.delete(brokerId);
    if (brokerData.brokerAddrs.size > 0) return;
    this.brokerAddrTable.delete(brokerName);
    const nameSet = this.clusterAddrTable.get(clusterName);
    if (nameSet) {
      nameSet.delete(brokerName);
      if (nameSet.size === 0) this.clusterAddrTable.delete(clusterName);
    }
    this.removeTopicByBrokerName(brokerName);
    log.info({ clusterName, brokerName, brokerAddr }, 'broker group unregistered');
  }

  private removeTopicByBrokerName(brokerName: string): void {
    for (const [topic, queueDataMap] of this.topicQueueTable) {
      queueDataMap.delete(brokerName);
      if (queueDataMap.size === 0) this.topicQueueTable.delete(topic);
    }
  }

  /** DELETE_TOPIC_IN_NAMESRV without a cluster: the topic goes everywhere. */
  deleteTopic(topic: string): void {
    this.topicQueueTable.delete(topic);
  }

  /** DELETE_TOPIC_IN_NAMESRV with a cluster: only that cluster's broker groups lose the topic. */
  deleteTopicInCluster(topic: string, clusterName: string): void {
    const brokerNames = this.clusterAddrTable.get(clusterName);
    const queueDataMap = this.topicQueueTable.get(topic);
    if (!brokerNames || !queueDataMap) return;
    for (const brokerName of brokerNames) queueDataMap.delete(brokerName);
    if (queueDataMap.size === 0) this.topicQueueTable.delete(topic);
  }

  /**
   * The route of a topic, or undefined when no broker group serves it. A broker group whose master is
   * gone still appears with its slaves' addresses, so consumers keep reading from them.
   */
  pickupTopicRouteData(topic: string): TopicRouteData | undefined {
    const queueDataMap = this.topicQueueTable.get(topic);
    if (!queueDataMap) return undefined;
    const route: TopicRouteData = {
      queueDatas: [...queueDataMap.values()].map((qd) => ({ ...qd })),
      brokerDatas: [],
      filterServerTable: new Map(),
    };
    for (const brokerName of queueDataMap.keys()) {
      const bd = this.brokerAddrTable.get(brokerName);
      if (!bd) continue;
      route.brokerDatas.push({
        cluster: bd.cluster,
        brokerName: bd.brokerName,
        brokerAddrs: new Map(bd.brokerAddrs),
      });
      for (const addr of bd.brokerAddrs.values()) {
        const filterServers = this.filterServerTable.get(addr);
        if (filterServers) route.filterServerTable.set(addr, filterServers);
      }
    }
    // As 4.9.8: queue data without any known broker group is no route.
    return route.brokerDatas.length > 0 ? route : undefined;
  }

  /** Removes brokers whose last registration is older than `expiredMs`; returns how many. */
  scanNotActiveBroker(expiredMs: number): number {
    let removed = 0;
    const now = this.now();
    for (const [addr, live] of this.brokerLiveTable) {
      if (live.lastUpdateTimestamp + expiredMs < now) {
        this.brokerLiveTable.delete(addr);
        log.warn({ brokerAddr: addr, expiredMs }, 'The broker channel expired');
        this.onChannelDestroy(addr, live.channel);
        live.channel.close();
        removed++;
      }
    }
    return removed;
  }

  /**
   * A connection closed: the broker registered over it (or, when none, the broker at `remoteAddr`)
   * leaves every table at once. A group left without addresses leaves its cluster and its topics.
   */
  onChannelDestroy(remoteAddr: string, channel: BrokerChannel | null): void {
    let brokerAddrFound: string | undefined;
    if (channel) {
      for (const [addr, live] of this.brokerLiveTable) {
        if (live.channel === channel) {
          brokerAddrFound = addr;
          break;
        }
      }
    }
    brokerAddrFound ??= remoteAddr;
    if (!brokerAddrFound) return;
    this.brokerLiveTable.delete(brokerAddrFound);
    this.filterServerTable.delete(brokerAddrFound);

    let brokerNameFound: string | undefined;
    let removeBrokerName = false;
    for (const [name, bd] of this.brokerAddrTable) {
      for (const [id, addr] of bd.brokerAddrs) {
        if (addr === brokerAddrFound) {
          brokerNameFound = bd.brokerName;
          bd.brokerAddrs.delete(id);
          log.info({ brokerId: id, brokerAddr: addr }, 'broker address removed: channel destroyed');
          break;
        }
      }
      if (bd.brokerAddrs.size === 0) {
        removeBrokerName = true;
        this.brokerAddrTable.delete(name);
      }
      if (brokerNameFound !== undefined) break;
    }
    if (brokerNameFound === undefined || !removeBrokerName) return;
    for (const [cluster, names] of this.clusterAddrTable) {
      if (names.delete(brokerNameFound)) {
        if (names.size === 0) this.clusterAddrTable.delete(cluster);
        break;
      }
    }
    this.removeTopicByBrokerName(brokerNameFound);
  }

  getAllClusterInfo(): ClusterInfo {
    return { brokerAddrTable: this.brokerAddrTable, clusterAddrTable: this.clusterAddrTable };
  }

  getAllTopicList(): TopicList {
    return { topicList: [...this.topicQueueTable.keys()] };
  }

  /**
   * GET_SYSTEM_TOPIC_LIST_FROM_NS, as 4.9.8: every cluster name and broker name (each is a topic the
   * brokers create for themselves), and the address of one broker to ask for the rest.
   */
  getSystemTopicList(): TopicList {
    const topics = new Set<string>();
    for (const [cluster, names] of this.clusterAddrTable) {
      topics.add(cluster);
      for (const n of names) topics.add(n);
    }
    const list: TopicList = { topicList: [...topics] };
    // 4.9.8 takes the first entry of the first group's HashMap<Long, String>: the lowest brokerId.
    for (const bd of this.brokerAddrTable.values()) {
      if (bd.brokerAddrs.size === 0) continue;
      list.brokerAddr = bd.brokerAddrs.get(Math.min(...bd.brokerAddrs.keys()));
      break;
    }
    return list;
  }

  /** Topics with queues on any broker group of `cluster` (an unknown cluster has none). */
  getTopicsByCluster(cluster: string): TopicList {
    const topics = new Set<string>();
    for (const brokerName of this.clusterAddrTable.get(cluster) ?? []) {
      for (const [topic, queueDataMap] of this.topicQueueTable) {
        if (queueDataMap.has(brokerName)) topics.add(topic);
      }
    }
    return { topicList: [...topics] };
  }

  getUnitTopics(): TopicList {
    return this.topicsWhereFirstQueue((f) => (f & TopicSysFlag.FLAG_UNIT) !== 0);
  }

  getHasUnitSubTopicList(): TopicList {
    return this.topicsWhereFirstQueue((f) => (f & TopicSysFlag.FLAG_UNIT_SUB) !== 0);
  }

  getHasUnitSubUnUnitTopicList(): TopicList {
    return this.topicsWhereFirstQueue(
      (f) => (f & TopicSysFlag.FLAG_UNIT) === 0 && (f & TopicSysFlag.FLAG_UNIT_SUB) !== 0,
    );
  }

  /** As 4.9.8, only the first broker group's queue data of each topic is looked at. */
  private topicsWhereFirstQueue(test: (topicSysFlag: number) => boolean): TopicList {
    const topicList: string[] = [];
    for (const [topic, queueDataMap] of this.topicQueueTable) {
      const first = queueDataMap.values().next();
      if (!first.done && test(first.value.topicSysFlag)) topicList.push(topic);
    }
    return { topicList };
  }
}
