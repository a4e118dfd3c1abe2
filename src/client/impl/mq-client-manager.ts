import {
  buildClientId,
  type ClientOptions,
  parseNamesrvAddr,
  resolveClientConfig,
} from '../client-config.js';
import { MQClientInstance } from './mq-client-instance.js';

/**
 * One MQClientInstance per client id and NameServer set in the process (MQClientManager): producers
 * and consumers created with the same options share connections, routes and heartbeats.
 */
const instances = new Map<string, MQClientInstance>();

export function getOrCreateMQClientInstance(opts: ClientOptions): MQClientInstance {
  const config = resolveClientConfig(opts);
  const key = `${buildClientId(config)}|${parseNamesrvAddr(config.namesrvAddr).sort().join(';')}`;
  let instance = instances.get(key);
  if (!instance || instance.isStopped) {
    instance = new MQClientInstance(config, (stopped) => {
      if (instances.get(key) === stopped) instances.delete(key);
    });
    instances.set(key, instance);
  }
  return instance;
}
