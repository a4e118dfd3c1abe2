/**
 * Interop with a RocketMQ client we did not write: ali-ons 3.12's own MQClientAPI asks our NameServer for
 * topic routes (GET_ROUTEINFO_BY_TOPIC over its own remoting code, body parsed with JSON2), proving our
 * route JSON is what a real client reads: queues, brokers with master and slave addresses, the
 * TOPIC_NOT_EXIST error for an unknown topic. Brokers are simulated by registering over our RemotingClient.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { type CometNamesrv, startCometNamesrv } from '../helpers/cometmq-namesrv.js';
import { BrokerSim, invoke, topicConfig } from '../namesrv/namesrv-test-client.js';

interface AliRoute {
  queueDatas: {
    brokerName: string;
    readQueueNums: number;
    writeQueueNums: number;
    perm: number;
    topicSysFlag: number;
  }[];
  brokerDatas: { cluster: string; brokerName: string; brokerAddrs: Record<string, string> }[];
  orderTopicConf?: string;
}

interface AliMQClientAPI {
  ready(): Promise<void>;
  close(): Promise<void>;
  getTopicRouteInfoFromNameServer(topic: string, timeoutMillis: number): Promise<AliRoute>;
}

const require = createRequire(import.meta.url);
const MQClientAPI = require('ali-ons/lib/mq_client_api') as new (
  opts: Record<string, unknown>,
) => AliMQClientAPI;

const silentLogger = { info() {}, warn() {}, error() {}, debug() {} };
// ali-ons requires an http client only to look NameServers up over HTTP; with nameSrv given it is unused.
const httpclient = { request: () => Promise.reject(new Error('not used')) };

describe('ali-ons reads topic routes from cometmq namesrv', () => {
  let ns: CometNamesrv;
  let api: AliMQClientAPI;
  const sims: BrokerSim[] = [];

  beforeAll(async () => {
    ns = await startCometNamesrv({ args: ['--orderMessageEnable=true'] });
    const spec = (brokerName: string, brokerId: number, brokerAddr: string) => ({
      clusterName: 'DefaultCluster',
      brokerName,
      brokerId,
      brokerAddr,
    });
    sims.push(
      new BrokerSim(ns.addr, spec('broker-b', 0, '127.0.0.1:20921')),
      new BrokerSim(ns.addr, spec('broker-a', 0, '127.0.0.1:20911')),
      new BrokerSim(ns.addr, spec('broker-a', 1, '127.0.0.2:20911')),
    );
    for (const s of sims) {
      const res = await s.register([topicConfig('AliRouteT', s.spec.brokerName === 'broker-a' ? 8 : 4)]);
      expect(res.code).toBe(ResponseCode.SUCCESS);
    }
    api = new MQClientAPI({ nameSrv: ns.addr, httpclient, logger: silentLogger, responseTimeout: 5000 });
    await api.ready();
  });

  afterAll(async () => {
    await api?.close();
    for (const s of sims) await s.close();
    await ns?.shutdown();
  });

  it('parses the route: queues per broker group, master and slave addresses', async () => {
    const route = await api.getTopicRouteInfoFromNameServer('AliRouteT', 5000);
    // ali-ons sorts both lists by brokerName itself.
    expect(route.queueDatas).toEqual([
      { brokerName: 'broker-a', readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0 },
      { brokerName: 'broker-b', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 },
    ]);
    expect(route.brokerDatas).toEqual([
      {
        cluster: 'DefaultCluster',
        brokerName: 'broker-a',
        brokerAddrs: { '0': '127.0.0.1:20911', '1': '127.0.0.2:20911' },
      },
      { cluster: 'DefaultCluster', brokerName: 'broker-b', brokerAddrs: { '0': '127.0.0.1:20921' } },
    ]);
    expect(route.orderTopicConf).toBeUndefined();
  });

  it('reads orderTopicConf from the ORDER_TOPIC_CONFIG KV namespace', async () => {
    const put = await invoke(sims[0]!.client, ns.addr, RequestCode.PUT_KV_CONFIG, {
      namespace: 'ORDER_TOPIC_CONFIG',
      key: 'AliRouteT',
      value: 'broker-a:8;broker-b:4',
    });
    expect(put.code).toBe(ResponseCode.SUCCESS);
    const route = await api.getTopicRouteInfoFromNameServer('AliRouteT', 5000);
    expect(route.orderTopicConf).toBe('broker-a:8;broker-b:4');
  });

  it('gets TOPIC_NOT_EXIST as an error for an unknown topic', async () => {
    const err = await api.getTopicRouteInfoFromNameServer('NoSuchAliTopic', 5000).then(
      () => undefined,
      (e: Error & { code?: number }) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect([err!.name, err!.code]).toEqual(['MQClientException', ResponseCode.TOPIC_NOT_EXIST]);
    expect(err!.message).toContain('No topic route info in name server for the topic: NoSuchAliTopic');
  });
});
