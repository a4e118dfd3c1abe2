import { applyConfig, ConfigError } from '../common/config.js';
import type { PropertyEntry } from '../common/properties-file.js';
import {
  BROKER_ROLES,
  defaultMessageStoreConfig,
  FLUSH_DISK_TYPES,
  type MessageStoreConfig,
} from '../store/message-store-config.js';
import { type BrokerConfig, defaultBrokerConfig } from './broker-config.js';

export interface BrokerStartupConfig {
  brokerConfig: BrokerConfig;
  storeConfig: MessageStoreConfig;
}

/**
 * A broker.conf mixes BrokerConfig, NettyServerConfig and MessageStoreConfig keys (BrokerStartup applies
 * the same properties to each); entries are applied in order, so command-line entries given after the
 * file's win. A key none of them knows is reported through onUnknown (a warning); a bad value throws
 * ConfigError naming the key.
 */
export function buildBrokerStartupConfig(
  entries: readonly PropertyEntry[],
  onUnknown: (e: PropertyEntry) => void = () => {},
): BrokerStartupConfig {
  const storeDefaults = defaultMessageStoreConfig();
  const storeKeys = new Set(Object.keys(storeDefaults));
  const brokerDefaults = defaultBrokerConfig();
  const brokerKeys = new Set(Object.keys(brokerDefaults));
  const brokerEntries = entries.filter((e) => brokerKeys.has(e.key));
  const storeEntries = entries.filter((e) => storeKeys.has(e.key));
  for (const e of entries) if (!brokerKeys.has(e.key) && !storeKeys.has(e.key)) onUnknown(e);
  const brokerConfig = applyConfig(brokerDefaults, brokerEntries);
  const storeConfig = applyConfig(storeDefaults, storeEntries, {
    enums: { brokerRole: BROKER_ROLES, flushDiskType: FLUSH_DISK_TYPES },
  });
  validate(brokerConfig, entries);
  // BrokerStartup: the HA port is listenPort + 1; CometMQ keeps an explicit haListenPort, and an
  // ephemeral listenPort (0) gets an ephemeral HA port, registered as haServerAddr once bound
  if (!storeEntries.some((e) => e.key === 'haListenPort'))
    storeConfig.haListenPort = brokerConfig.listenPort === 0 ? 0 : brokerConfig.listenPort + 1;
  return { brokerConfig, storeConfig };
}

function validate(b: BrokerConfig, entries: readonly PropertyEntry[]): void {
  const where = (key: string): string => {
    const e = [...entries].reverse().find((x) => x.key === key);
    return e ? `${e.source}${e.line > 0 ? `:${e.line}` : ''}: ` : '';
  };
  if (b.listenPort < 0 || b.listenPort > 65535)
    throw new ConfigError(
      `${where('listenPort')}bad value "${b.listenPort}" for listenPort: expected 0-65535`,
    );
  if (b.brokerId < 0)
    throw new ConfigError(`${where('brokerId')}bad value "${b.brokerId}" for brokerId: expected >= 0`);
  if (b.defaultTopicQueueNums <= 0)
    throw new ConfigError(
      `${where('defaultTopicQueueNums')}bad value "${b.defaultTopicQueueNums}" for defaultTopicQueueNums: expected > 0`,
    );
  if (b.brokerName.trim() === '') throw new ConfigError(`${where('brokerName')}bad value "" for brokerName`);
  for (const addr of b.namesrvAddr.split(';').filter((a) => a.trim() !== '')) {
    if (!/^[^:\s]+:\d{1,5}$/.test(addr.trim()))
      throw new ConfigError(
        `${where('namesrvAddr')}bad value "${b.namesrvAddr}" for namesrvAddr: expected host:port;host:port`,
      );
  }
}
