import { join } from 'node:path';
import { parseLenientJson } from '../../common/lenient-json.js';
import { componentLogger } from '../../common/logger.js';
import { decodeConsumerOffsetSerializeWrapper } from '../../remoting/protocol/body/consumer-offset-serialize-wrapper.js';
import { decodeSubscriptionGroupWrapper } from '../../remoting/protocol/body/subscription-group-config.js';
import { toDataVersion, toTopicConfig } from '../../remoting/protocol/route/register-broker-body.js';
import type { DataVersion } from '../../remoting/protocol/route/route-data.js';
import { RemotingClient } from '../../remoting/remoting-client.js';
import { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { ResponseCode } from '../../remoting/response-code.js';
import { writeConfigFileAtomically } from '../config-file.js';
import type { ConsumerOffsetManager } from '../offset/consumer-offset-manager.js';
import type { SubscriptionGroupManager } from '../subscription/subscription-group-manager.js';
import type { TopicConfigManager } from '../topic/topic-config-manager.js';

const log = componentLogger('slave-sync');

export interface SlaveSynchronizeHost {
  readonly topicConfigManager: TopicConfigManager;
  readonly consumerOffsetManager: ConsumerOffsetManager;
  readonly subscriptionGroupManager: SubscriptionGroupManager;
  readonly storePathRootDir: string;
  /** This broker's own address: a master never syncs from itself. */
  readonly brokerAddr: string;
}

function sameVersion(a: DataVersion, b: DataVersion): boolean {
  return a.timestamp === b.timestamp && a.counter === b.counter;
}

/**
 * broker/slave/SlaveSynchronize.java: a slave copies its master's metadata (every 10 s, from the
 * BrokerController): topic configs and subscription groups when their DataVersion moved, consumer
 * offsets merged in, and the delay offsets file as it is. Each part fails on its own, as RocketMQ's.
 */
export class SlaveSynchronize {
  masterAddr: string | undefined;
  private readonly client = new RemotingClient({ connectTimeoutMs: 3000 });

  constructor(
    private readonly host: SlaveSynchronizeHost,
    private readonly timeoutMs = 3000,
  ) {}

  async syncAll(): Promise<void> {
    await this.syncTopicConfig();
    await this.syncConsumerOffset();
    await this.syncDelayOffset();
    await this.syncSubscriptionGroupConfig();
  }

  shutdown(): Promise<void> {
    return this.client.shutdown();
  }

  private async fetch(code: number, what: string): Promise<Buffer | undefined> {
    const addr = this.masterAddr;
    if (!addr || addr === this.host.brokerAddr) return undefined;
    try {
      const resp = await this.client.invokeSync(addr, RemotingCommand.request(code, {}), this.timeoutMs);
      if (resp.code !== ResponseCode.SUCCESS) {
        log.warn({ master: addr, code: resp.code, remark: resp.remark }, `sync ${what} refused`);
        return undefined;
      }
      return resp.body ?? Buffer.alloc(0);
    } catch (err) {
      log.warn({ master: addr, err: (err as Error).message }, `sync ${what} failed`);
      return undefined;
    }
  }

  async syncTopicConfig(): Promise<void> {
    const body = await this.fetch(RequestCode.GET_ALL_TOPIC_CONFIG, 'topic config');
    if (!body) return;
    const o = parseLenientJson(body) as Record<string, unknown>;
    const dv = toDataVersion(o.dataVersion);
    const m = this.host.topicConfigManager;
    if (sameVersion(m.dataVersion, dv)) return;
    m.dataVersion = dv;
    m.topicConfigTable.clear();
    for (const [name, v] of Object.entries((o.topicConfigTable ?? {}) as Record<string, unknown>)) {
      const tc = toTopicConfig(v, name);
      m.topicConfigTable.set(tc.topicName, tc);
    }
    await m.persist();
    log.info({ master: this.masterAddr }, 'update slave topic config from master');
  }

  async syncConsumerOffset(): Promise<void> {
    const body = await this.fetch(RequestCode.GET_ALL_CONSUMER_OFFSET, 'consumer offset');
    if (!body) return;
    const w = decodeConsumerOffsetSerializeWrapper(body);
    const table = this.host.consumerOffsetManager.offsetTable;
    for (const [key, offsets] of Object.entries(w.offsetTable)) {
      const m = new Map<number, number>();
      for (const [qid, off] of Object.entries(offsets)) m.set(Number(qid), off);
      table.set(key, m);
    }
    await this.host.consumerOffsetManager.persist();
  }

  async syncDelayOffset(): Promise<void> {
    const body = await this.fetch(RequestCode.GET_ALL_DELAY_OFFSET, 'delay offset');
    if (!body || body.length === 0) return;
    const path = join(this.host.storePathRootDir, 'config', 'delayOffset.json');
    await writeConfigFileAtomically(path, body.toString('utf8'));
  }

  async syncSubscriptionGroupConfig(): Promise<void> {
    const body = await this.fetch(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, 'subscription groups');
    if (!body) return;
    const w = decodeSubscriptionGroupWrapper(body);
    const m = this.host.subscriptionGroupManager;
    if (sameVersion(m.dataVersion, w.dataVersion)) return;
    m.dataVersion = w.dataVersion;
    m.subscriptionGroupTable.clear();
    for (const [name, c] of Object.entries(w.subscriptionGroupTable)) m.subscriptionGroupTable.set(name, c);
    await m.persist();
    log.info({ master: this.masterAddr }, 'update slave subscription groups from master');
  }
}
