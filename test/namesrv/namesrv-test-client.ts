/**
 * Talks to a NameServer (ours or the reference) the way brokers and clients do, over our RemotingClient.
 * A BrokerSim is one simulated broker with its own connection, so closing it is a broker going away.
 */
import { crc32 } from 'node:zlib';
import { parseLenientJson } from '../../src/common/lenient-json.js';
import { encodeRegisterBrokerBody } from '../../src/remoting/protocol/route/register-broker-body.js';
import type { DataVersion, TopicConfig } from '../../src/remoting/protocol/route/route-data.js';
import { RemotingClient } from '../../src/remoting/remoting-client.js';
import { type ExtFieldValue, RemotingCommand } from '../../src/remoting/remoting-command.js';
import { RequestCode } from '../../src/remoting/request-code.js';

export const TIMEOUT_MS = 5_000;

export function invoke(
  client: RemotingClient,
  addr: string,
  code: number,
  ext: Record<string, ExtFieldValue> = {},
  body: Buffer | null = null,
): Promise<RemotingCommand> {
  return client.invokeSync(addr, RemotingCommand.request(code, ext, body), TIMEOUT_MS);
}

/** The JSON body of a response, parsed (fastjson's unquoted keys too). */
export function bodyJson<T = Record<string, unknown>>(res: RemotingCommand): T {
  if (res.body === null) throw new Error(`response ${res.code} has no body (remark ${res.remark})`);
  return parseLenientJson(res.body) as T;
}

export function topicConfig(name: string, queues = 4, perm = 6): TopicConfig {
  return {
    topicName: name,
    readQueueNums: queues,
    writeQueueNums: queues,
    perm,
    topicFilterType: 'SINGLE_TAG',
    topicSysFlag: 0,
    order: false,
  };
}

export interface BrokerSpec {
  clusterName: string;
  brokerName: string;
  brokerAddr: string;
  brokerId: number;
}

export interface RegisterOptions {
  compressed?: boolean;
  /** true: send the right bodyCrc32; a number: send that one. */
  crc?: boolean | number;
  dataVersion?: DataVersion;
}

export class BrokerSim {
  readonly client = new RemotingClient();

  constructor(
    readonly namesrvAddr: string,
    readonly spec: BrokerSpec,
  ) {}

  get haServerAddr(): string {
    return this.spec.brokerAddr.replace(/:(\d+)$/, (_, p: string) => `:${Number(p) + 1}`);
  }

  async register(topics: TopicConfig[], o: RegisterOptions = {}): Promise<RemotingCommand> {
    const body = await encodeRegisterBrokerBody(
      {
        topicConfigSerializeWrapper: {
          topicConfigTable: new Map(topics.map((t) => [t.topicName, t])),
          dataVersion: o.dataVersion ?? { timestamp: 1_700_000_000_000, counter: topics.length },
        },
        filterServerList: [],
      },
      o.compressed === true,
    );
    const bodyCrc32 =
      o.crc === true ? crc32(body) & 0x7fffffff : typeof o.crc === 'number' ? o.crc : undefined;
    return invoke(
      this.client,
      this.namesrvAddr,
      RequestCode.REGISTER_BROKER,
      { ...this.spec, haServerAddr: this.haServerAddr, compressed: o.compressed === true, bodyCrc32 },
      body,
    );
  }

  unregister(): Promise<RemotingCommand> {
    return invoke(this.client, this.namesrvAddr, RequestCode.UNREGISTER_BROKER, { ...this.spec });
  }

  /** The broker's connection goes away (as when its process dies). */
  async close(): Promise<void> {
    await this.client.shutdown();
  }
}

/** Polls `check` every 50 ms until it returns true or `timeoutMs` passes; returns the last result. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000; i++) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
