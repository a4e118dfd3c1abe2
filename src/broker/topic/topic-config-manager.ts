import { join } from 'node:path';
import { parseLenientJson } from '../../common/lenient-json.js';
import { componentLogger } from '../../common/logger.js';
import { MixAll, PermName, TopicValidator } from '../../common/message-const.js';
import type { DataVersion, TopicConfig } from '../../remoting/protocol/route/route-data.js';
import type { BrokerConfig } from '../broker-config.js';
import { PersistQueue, readConfigFile, writeConfigFileAtomically } from '../config-file.js';

const log = componentLogger('topic-config');

/** new TopicConfig(name) in RocketMQ: 16/16 queues, read+write, SINGLE_TAG. */
export function newTopicConfig(topicName: string, overrides: Partial<TopicConfig> = {}): TopicConfig {
  return {
    topicName,
    readQueueNums: 16,
    writeQueueNums: 16,
    perm: PermName.PERM_READ | PermName.PERM_WRITE,
    topicFilterType: 'SINGLE_TAG',
    topicSysFlag: 0,
    order: false,
    ...overrides,
  };
}

export function nextDataVersion(v: DataVersion, now = Date.now()): DataVersion {
  return { timestamp: now, counter: v.counter + 1 };
}

function toTopicConfig(name: string, v: unknown): TopicConfig {
  const o = (v ?? {}) as Record<string, unknown>;
  const n = (key: string, d: number): number => {
    const x = Number(o[key]);
    return o[key] === undefined || o[key] === null || !Number.isFinite(x) ? d : x;
  };
  return newTopicConfig(typeof o.topicName === 'string' ? o.topicName : name, {
    readQueueNums: n('readQueueNums', 16),
    writeQueueNums: n('writeQueueNums', 16),
    perm: n('perm', 6),
    topicFilterType: o.topicFilterType === 'MULTI_TAG' ? 'MULTI_TAG' : 'SINGLE_TAG',
    topicSysFlag: n('topicSysFlag', 0),
    order: o.order === true || o.order === 'true',
  });
}

/**
 * TopicConfigManager: the broker's topic table and config/topics.json
 * (`{"topicConfigTable":{name: TopicConfig},"dataVersion":{...}}`). Every change moves the data
 * version, which is what NameServers compare on registration.
 */
export class TopicConfigManager {
  readonly topicConfigTable = new Map<string, TopicConfig>();
  dataVersion: DataVersion = { timestamp: Date.now(), counter: 0 };
  readonly systemTopics = new Set<string>();
  /** Called after a topic was created implicitly (send, heartbeat): the controller re-registers. */
  onTopicCreated: (tc: TopicConfig) => void = () => {};
  private readonly persistQueue = new PersistQueue(() => this.write());

  constructor(
    private readonly brokerConfig: BrokerConfig,
    private readonly storePathRootDir: string,
  ) {
    this.initSystemTopics();
  }

  get configFilePath(): string {
    return join(this.storePathRootDir, 'config', 'topics.json');
  }

  // As TopicConfigManager's constructor: the system topics every RocketMQ broker has.
  private initSystemTopics(): void {
    const b = this.brokerConfig;
    const RW = PermName.PERM_READ | PermName.PERM_WRITE;
    const sys = (tc: TopicConfig): void => {
      this.systemTopics.add(tc.topicName);
      this.topicConfigTable.set(tc.topicName, tc);
    };
    sys(newTopicConfig(TopicValidator.RMQ_SYS_SELF_TEST_TOPIC, { readQueueNums: 1, writeQueueNums: 1 }));
    if (b.autoCreateTopicEnable) {
      sys(
        newTopicConfig(TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC, {
          readQueueNums: b.defaultTopicQueueNums,
          writeQueueNums: b.defaultTopicQueueNums,
          perm: PermName.PERM_INHERIT | RW,
        }),
      );
    }
    sys(
      newTopicConfig(TopicValidator.RMQ_SYS_BENCHMARK_TOPIC, { readQueueNums: 1024, writeQueueNums: 1024 }),
    );
    sys(
      newTopicConfig(b.brokerClusterName, {
        perm: PermName.PERM_INHERIT | (b.clusterTopicEnable ? RW : 0),
      }),
    );
    sys(
      newTopicConfig(b.brokerName, {
        readQueueNums: 1,
        writeQueueNums: 1,
        perm: PermName.PERM_INHERIT | (b.brokerTopicEnable ? RW : 0),
      }),
    );
    sys(newTopicConfig(TopicValidator.RMQ_SYS_OFFSET_MOVED_EVENT, { readQueueNums: 1, writeQueueNums: 1 }));
    sys(newTopicConfig(TopicValidator.RMQ_SYS_SCHEDULE_TOPIC, { readQueueNums: 18, writeQueueNums: 18 }));
    if (b.traceTopicEnable) sys(newTopicConfig(b.msgTraceTopicName, { readQueueNums: 1, writeQueueNums: 1 }));
    sys(newTopicConfig(MixAll.getReplyTopic(b.brokerClusterName), { readQueueNums: 1, writeQueueNums: 1 }));
  }

  async load(): Promise<void> {
    const loaded = await readConfigFile(this.configFilePath, (text) => {
      const o = parseLenientJson(text) as Record<string, unknown>;
      if (o === null || typeof o !== 'object') throw new Error('not an object');
      return o;
    });
    if (!loaded) return;
    const table = (loaded.topicConfigTable ?? {}) as Record<string, unknown>;
    for (const [name, tc] of Object.entries(table)) {
      const config = toTopicConfig(name, tc);
      this.topicConfigTable.set(config.topicName, config);
    }
    const dv = loaded.dataVersion as Record<string, unknown> | undefined;
    if (dv) this.dataVersion = { timestamp: Number(dv.timestamp) || 0, counter: Number(dv.counter) || 0 };
  }

  selectTopicConfig(topic: string): TopicConfig | undefined {
    return this.topicConfigTable.get(topic);
  }

  /**
   * createTopicInSendMessageMethod: a topic made on first send from the default (TBW102) topic's
   * config when that one is inheritable; queues = min(client's defaultTopicQueueNums, default's).
   */
  createTopicInSendMessageMethod(
    topic: string,
    defaultTopic: string,
    remoteAddress: string,
    clientDefaultTopicQueueNums: number,
    topicSysFlag: number,
  ): TopicConfig | undefined {
    const existing = this.topicConfigTable.get(topic);
    if (existing) return existing;
    const def = this.topicConfigTable.get(defaultTopic);
    if (!def) {
      log.warn(
        { topic, defaultTopic, remoteAddress },
        'Create new topic failed, because the default topic not exist',
      );
      return undefined;
    }
    // as RocketMQ: with autoCreateTopicEnable=false, TBW102 (if present) no longer lends its config
    const inheritable =
      PermName.isInherited(def.perm) &&
      !(
        defaultTopic === TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC &&
        !this.brokerConfig.autoCreateTopicEnable
      );
    if (!inheritable) {
      log.warn(
        { topic, defaultTopic, perm: def.perm },
        'Create new topic failed, because the default topic has no perm',
      );
      return undefined;
    }
    const queueNums = Math.max(0, Math.min(clientDefaultTopicQueueNums, def.writeQueueNums));
    const tc = newTopicConfig(topic, {
      readQueueNums: queueNums,
      writeQueueNums: queueNums,
      perm: def.perm & ~PermName.PERM_INHERIT,
      topicSysFlag,
      topicFilterType: def.topicFilterType,
    });
    log.info({ topic, remoteAddress, queueNums }, 'create new topic by default topic');
    this.putAndPersist(tc);
    this.onTopicCreated(tc);
    return tc;
  }

  /** createTopicInSendMessageBackMethod: retry topics (%RETRY%group) made on heartbeat. */
  createTopicInSendMessageBackMethod(
    topic: string,
    queueNums: number,
    perm: number,
    topicSysFlag: number,
  ): TopicConfig {
    const existing = this.topicConfigTable.get(topic);
    if (existing) return existing;
    const tc = newTopicConfig(topic, {
      readQueueNums: queueNums,
      writeQueueNums: queueNums,
      perm,
      topicSysFlag,
    });
    log.info({ topic }, 'create new topic');
    this.putAndPersist(tc);
    this.onTopicCreated(tc);
    return tc;
  }

  updateTopicConfig(tc: TopicConfig): void {
    const old = this.topicConfigTable.get(tc.topicName);
    log.info({ old, new: tc }, old ? 'update topic config' : 'create new topic');
    this.putAndPersist(tc);
  }

  deleteTopicConfig(topic: string): boolean {
    if (!this.topicConfigTable.delete(topic)) return false;
    log.info({ topic }, 'delete topic config');
    this.dataVersion = nextDataVersion(this.dataVersion);
    void this.persist();
    return true;
  }

  isOrderTopic(topic: string): boolean {
    return this.topicConfigTable.get(topic)?.order === true;
  }

  private putAndPersist(tc: TopicConfig): void {
    this.topicConfigTable.set(tc.topicName, tc);
    this.dataVersion = nextDataVersion(this.dataVersion);
    void this.persist();
  }

  /** The wrapper REGISTER_BROKER and GET_ALL_TOPIC_CONFIG carry. */
  buildTopicConfigSerializeWrapper(): {
    topicConfigTable: Map<string, TopicConfig>;
    dataVersion: DataVersion;
  } {
    return { topicConfigTable: new Map(this.topicConfigTable), dataVersion: { ...this.dataVersion } };
  }

  encode(pretty = false): string {
    const table: Record<string, TopicConfig> = {};
    for (const [k, v] of this.topicConfigTable) table[k] = v;
    return JSON.stringify(
      { dataVersion: this.dataVersion, topicConfigTable: table },
      null,
      pretty ? '\t' : undefined,
    );
  }

  persist(): Promise<void> {
    return this.persistQueue
      .persist()
      .catch((err: unknown) => log.error({ err }, 'persist topics.json failed'));
  }

  private write(): Promise<void> {
    return writeConfigFileAtomically(this.configFilePath, this.encode(true));
  }
}
