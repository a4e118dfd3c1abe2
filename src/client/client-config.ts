import { networkInterfaces } from 'node:os';

/** Options every producer and consumer shares (client/.../ClientConfig.java). */
export interface ClientOptions {
  /** NameServer addresses, `host:port` separated by `;`. Defaults to the NAMESRV_ADDR environment variable. */
  namesrvAddr?: string;
  /** The address this client reports; defaults to the first non-loopback IPv4 (RemotingUtil.getLocalAddress). */
  clientIP?: string;
  /**
   * Part of the client id `clientIP@instanceName`. Producers and consumers with the same client id and
   * NameServers share one connection set (MQClientInstance). Defaults to the process id. Two consumers
   * of one group in the same process need different instance names, as in RocketMQ.
   */
  instanceName?: string;
  unitName?: string;
  /** Route refresh period (pollNameServerInterval), ms. */
  pollNameServerInterval?: number;
  /** Heartbeat period to every broker (heartbeatBrokerInterval), ms. */
  heartbeatBrokerInterval?: number;
  /** Consumer offset persistence period (persistConsumerOffsetInterval), ms. */
  persistConsumerOffsetInterval?: number;
  /** Timeout of control requests (mqClientApiTimeout), ms. */
  requestTimeoutMs?: number;
}

export interface ResolvedClientConfig {
  namesrvAddr: string;
  clientIP: string;
  instanceName: string;
  unitName: string | undefined;
  pollNameServerInterval: number;
  heartbeatBrokerInterval: number;
  persistConsumerOffsetInterval: number;
  requestTimeoutMs: number;
}

export function resolveClientConfig(opts: ClientOptions): ResolvedClientConfig {
  const namesrvAddr = (opts.namesrvAddr ?? process.env.NAMESRV_ADDR ?? '').trim();
  return {
    namesrvAddr,
    clientIP: opts.clientIP ?? localAddress(),
    instanceName: opts.instanceName ?? String(process.pid),
    unitName: opts.unitName || undefined,
    pollNameServerInterval: opts.pollNameServerInterval ?? 30_000,
    heartbeatBrokerInterval: opts.heartbeatBrokerInterval ?? 30_000,
    persistConsumerOffsetInterval: opts.persistConsumerOffsetInterval ?? 5_000,
    requestTimeoutMs: opts.requestTimeoutMs ?? 3_000,
  };
}

/** ClientConfig.buildMQClientId: `ip@instanceName[@unitName]`. */
export function buildClientId(
  cfg: Pick<ResolvedClientConfig, 'clientIP' | 'instanceName' | 'unitName'>,
): string {
  return cfg.unitName
    ? `${cfg.clientIP}@${cfg.instanceName}@${cfg.unitName}`
    : `${cfg.clientIP}@${cfg.instanceName}`;
}

/** The NameServer list, in the order given (`a:9876;b:9876`). */
export function parseNamesrvAddr(addr: string): string[] {
  return addr
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

let cachedLocalAddress: string | undefined;

/**
 * RemotingUtil.getLocalAddress: the first non-loopback IPv4 that is not 127.0.x / 192.168.x, else the
 * last non-loopback IPv4, else the first IPv6, else 127.0.0.1.
 */
export function localAddress(): string {
  if (cachedLocalAddress !== undefined) return cachedLocalAddress;
  const v4: string[] = [];
  const v6: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4') v4.push(a.address);
      else v6.push(a.address);
    }
  }
  const preferred = v4.find((ip) => !ip.startsWith('127.0') && !ip.startsWith('192.168'));
  cachedLocalAddress = preferred ?? v4[v4.length - 1] ?? v6[0] ?? '127.0.0.1';
  return cachedLocalAddress;
}
