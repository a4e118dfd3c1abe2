import { join } from 'node:path';
import { componentLogger } from '../../common/logger.js';
import { MixAll } from '../../common/message-const.js';
import {
  decodeSubscriptionGroupWrapper,
  defaultSubscriptionGroupConfig,
  encodeSubscriptionGroupWrapper,
  type SubscriptionGroupConfig,
} from '../../remoting/protocol/body/subscription-group-config.js';
import type { DataVersion } from '../../remoting/protocol/route/route-data.js';
import type { BrokerConfig } from '../broker-config.js';
import { PersistQueue, readConfigFile, writeConfigFileAtomically } from '../config-file.js';
import { nextDataVersion } from '../topic/topic-config-manager.js';

const log = componentLogger('subscription-group');

/** The groups every RocketMQ broker starts with (SubscriptionGroupManager.init). */
const SYSTEM_GROUPS = [
  MixAll.TOOLS_CONSUMER_GROUP,
  MixAll.FILTERSRV_CONSUMER_GROUP,
  MixAll.SELF_TEST_CONSUMER_GROUP,
  // MixAll.ONS_HTTP_PROXY_GROUP's value, not its name
  'CID_ONS-HTTP-PROXY',
  'CID_ONSAPI_PULL',
  'CID_ONSAPI_PERMISSION',
  'CID_ONSAPI_OWNER',
];
// CID_RMQ_SYS_TRANS is not among them in 4.9.8: the transaction check keeps its offsets under that
// name in consumerOffset.json without a subscription group (checked against the reference's answer).

/** SubscriptionGroupManager: consumer group settings and config/subscriptionGroup.json. */
export class SubscriptionGroupManager {
  readonly subscriptionGroupTable = new Map<string, SubscriptionGroupConfig>();
  dataVersion: DataVersion = { timestamp: Date.now(), counter: 0 };
  private readonly persistQueue = new PersistQueue(() => this.write());

  constructor(
    private readonly brokerConfig: BrokerConfig,
    private readonly storePathRootDir: string,
  ) {
    for (const g of SYSTEM_GROUPS) {
      const c = defaultSubscriptionGroupConfig(g);
      if (g === MixAll.SELF_TEST_CONSUMER_GROUP || g.startsWith('CID_ONSAPI'))
        c.consumeBroadcastEnable = true;
      this.subscriptionGroupTable.set(g, c);
    }
  }

  get configFilePath(): string {
    return join(this.storePathRootDir, 'config', 'subscriptionGroup.json');
  }

  async load(): Promise<void> {
    const w = await readConfigFile(this.configFilePath, decodeSubscriptionGroupWrapper);
    if (!w) return;
    for (const [name, c] of Object.entries(w.subscriptionGroupTable))
      this.subscriptionGroupTable.set(name, c);
    this.dataVersion = w.dataVersion;
  }

  /** The group's config, created with defaults when autoCreateSubscriptionGroup (or a system group). */
  findSubscriptionGroupConfig(group: string): SubscriptionGroupConfig | undefined {
    let c = this.subscriptionGroupTable.get(group);
    if (c) return c;
    if (!this.brokerConfig.autoCreateSubscriptionGroup && !MixAll.isSysConsumerGroup(group)) return undefined;
    c = defaultSubscriptionGroupConfig(group);
    this.subscriptionGroupTable.set(group, c);
    log.info({ group }, 'auto create a subscription group');
    this.dataVersion = nextDataVersion(this.dataVersion);
    void this.persist();
    return c;
  }

  updateSubscriptionGroupConfig(c: SubscriptionGroupConfig): void {
    const old = this.subscriptionGroupTable.get(c.groupName);
    log.info({ old, new: c }, old ? 'update subscription group config' : 'create new subscription group');
    this.subscriptionGroupTable.set(c.groupName, c);
    this.dataVersion = nextDataVersion(this.dataVersion);
    void this.persist();
  }

  deleteSubscriptionGroupConfig(group: string): boolean {
    if (!this.subscriptionGroupTable.delete(group)) {
      log.warn({ group }, 'delete subscription group failed, not exist');
      return false;
    }
    this.dataVersion = nextDataVersion(this.dataVersion);
    void this.persist();
    return true;
  }

  encode(pretty = false): string {
    return encodeSubscriptionGroupWrapper(
      {
        subscriptionGroupTable: Object.fromEntries(this.subscriptionGroupTable),
        dataVersion: this.dataVersion,
      },
      pretty,
    );
  }

  persist(): Promise<void> {
    return this.persistQueue
      .persist()
      .catch((err: unknown) => log.error({ err }, 'persist subscriptionGroup.json failed'));
  }

  private write(): Promise<void> {
    return writeConfigFileAtomically(this.configFilePath, this.encode(true));
  }
}
