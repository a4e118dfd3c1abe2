/**
 * A real Apache RocketMQ 4.9.8 broker (master and slave of one group) registers with `cometmq namesrv`:
 * its REGISTER_BROKER bodies (deflated, with bodyCrc32, as compressedRegister=true sends them) build the
 * routes, the slave learns its master's HA address from our reply and replicates a message our client
 * sent through our route, and the group leaves the routes when the processes die. Skipped without the reference distribution.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Message, Producer } from '../../src/index.js';
import { RemotingClient } from '../../src/remoting/remoting-client.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { type CometNamesrv, startCometNamesrv } from '../helpers/cometmq-namesrv.js';
import {
  type ReferenceServer,
  referenceAvailable,
  startReferenceBroker,
} from '../helpers/reference-processes.js';
import { bodyJson, eventually, invoke } from './namesrv-test-client.js';

interface Route {
  queueDatas: { brokerName: string; perm: number }[];
  brokerDatas: { brokerName: string; cluster: string; brokerAddrs: Record<string, string> }[];
}

describe.skipIf(!referenceAvailable())('Java RocketMQ brokers register with cometmq namesrv', () => {
  let ns: CometNamesrv;
  let master: ReferenceServer | undefined;
  let slave: ReferenceServer | undefined;
  const client = new RemotingClient();
  const route = async (topic: string) => {
    const res = await invoke(client, ns.addr, RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
    return res.code === ResponseCode.SUCCESS ? bodyJson<Route>(res) : res.code;
  };

  beforeAll(async () => {
    ns = await startCometNamesrv();
    const common = { namesrvAddr: ns.addr, brokerName: 'java-broker', brokerClusterName: 'JavaCluster' };
    master = await startReferenceBroker({ ...common, extra: { compressedRegister: true } });
    slave = await startReferenceBroker({ ...common, brokerId: 1 });
  }, 180_000);
  afterAll(async () => {
    await client.shutdown();
    await slave?.shutdown();
    await master?.shutdown();
    await ns?.shutdown();
  });

  it('routes the Java master and slave, and drops them when they die', async () => {
    // The broker registers at start-up; its own topics (TBW102, its cluster and broker names) make routes.
    const both = await eventually(async () => {
      const r = await route('TBW102');
      return typeof r !== 'number' && Object.keys(r.brokerDatas[0]?.brokerAddrs ?? {}).length === 2;
    }, 30_000);
    expect(both).toBe(true);
    const r = (await route('TBW102')) as Route;
    expect(r.brokerDatas).toEqual([
      {
        brokerName: 'java-broker',
        cluster: 'JavaCluster',
        brokerAddrs: { '0': master!.addr, '1': slave!.addr },
      },
    ]);
    expect(r.queueDatas.map((q) => q.brokerName)).toEqual(['java-broker']);
    expect(typeof (await route('JavaCluster'))).toBe('object');

    const info = bodyJson<{ clusterAddrTable: Record<string, string[]> }>(
      await invoke(client, ns.addr, RequestCode.GET_BROKER_CLUSTER_INFO),
    );
    expect(info.clusterAddrTable).toEqual({ JavaCluster: ['java-broker'] });

    // The slave learned the master's HA address from our REGISTER_BROKER reply: a message sent through
    // our route to the master reaches the slave's CommitLog.
    const producer = new Producer({ group: 'JavaRegistrationPG', namesrvAddr: ns.addr });
    await producer.start();
    try {
      const sent = await producer.send(new Message({ topic: 'TBW102', body: 'replicate me' }));
      expect(sent.status).toBe('SEND_OK');
    } finally {
      await producer.shutdown();
    }
    // A 4.9.8 broker with an empty CommitLog answers GET_BROKER_RUNTIME_INFO with SYSTEM_ERROR.
    const maxOffset = async (addr: string): Promise<number> => {
      const res = await invoke(client, addr, RequestCode.GET_BROKER_RUNTIME_INFO);
      if (res.code !== ResponseCode.SUCCESS) return -1;
      return Number(bodyJson<{ table: Record<string, string> }>(res).table.commitLogMaxOffset);
    };
    const masterOffset = await maxOffset(master!.addr);
    expect(masterOffset).toBeGreaterThan(0);
    expect(await eventually(async () => (await maxOffset(slave!.addr)) === masterOffset, 30_000)).toBe(true);

    await master!.process.kill();
    const onlySlave = await eventually(async () => {
      const x = await route('TBW102');
      return typeof x !== 'number' && Object.keys(x.brokerDatas[0]!.brokerAddrs).join() === '1';
    });
    expect(onlySlave).toBe(true);
    await slave!.process.kill();
    expect(await eventually(async () => (await route('TBW102')) === ResponseCode.TOPIC_NOT_EXIST)).toBe(true);
  }, 120_000);
});
