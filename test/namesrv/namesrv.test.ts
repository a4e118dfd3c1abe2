/**
 * A real `cometmq namesrv` process, driven as brokers and clients drive it. Run `npm run build` first.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemotingClient } from '../../src/remoting/remoting-client.js';
import { RemotingCommand } from '../../src/remoting/remoting-command.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { type CometNamesrv, startCometNamesrv } from '../helpers/cometmq-namesrv.js';
import { BrokerSim, bodyJson, eventually, invoke, topicConfig } from './namesrv-test-client.js';

interface RouteJson {
  orderTopicConf?: string;
  queueDatas: { brokerName: string; perm: number; readQueueNums: number; writeQueueNums: number }[];
  brokerDatas: { brokerName: string; cluster: string; brokerAddrs: Record<string, string> }[];
  filterServerTable: Record<string, string[]>;
}

const sorted = (xs: string[]) => [...xs].sort();

describe('cometmq namesrv', () => {
  let ns: CometNamesrv;
  const client = new RemotingClient();
  const brokers: BrokerSim[] = [];
  const broker = (brokerName: string, brokerId: number, brokerAddr: string, clusterName = 'C1') => {
    const b = new BrokerSim(ns.addr, { clusterName, brokerName, brokerId, brokerAddr });
    brokers.push(b);
    return b;
  };
  const call = (code: number, ext: Record<string, string> = {}, body: Buffer | null = null) =>
    invoke(client, ns.addr, code, ext, body);
  const route = async (topic: string): Promise<RouteJson | number> => {
    const res = await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
    return res.code === ResponseCode.SUCCESS ? bodyJson<RouteJson>(res) : res.code;
  };

  beforeAll(async () => {
    ns = await startCometNamesrv({ args: ['--orderMessageEnable=true'] });
  });
  afterAll(async () => {
    for (const b of brokers) await b.close();
    await client.shutdown();
    await ns?.shutdown();
  });

  it('builds routes and cluster info from masters and slaves of two broker groups', async () => {
    const a0 = broker('broker-a', 0, '127.0.0.1:20911');
    const a1 = broker('broker-a', 1, '127.0.0.2:20911');
    const b0 = broker('broker-b', 0, '127.0.0.3:20911');
    const b1 = broker('broker-b', 1, '127.0.0.4:20911');
    const t = topicConfig('TopicT', 8);
    // A slave before its master learns nothing; after, it learns its master's addresses.
    expect((await a1.register([t, topicConfig('SlaveOnly')])).extFields).toEqual({});
    const a0res = await a0.register([t, topicConfig('OnlyA', 2)]);
    expect(a0res.code).toBe(ResponseCode.SUCCESS);
    expect(a0res.extFields).toEqual({});
    const a1res = await a1.register([t]);
    expect(a1res.extFields).toEqual({ haServerAddr: '127.0.0.1:20912', masterAddr: '127.0.0.1:20911' });
    await b0.register([t]);
    expect((await b1.register([t])).extFields.masterAddr).toBe('127.0.0.3:20911');

    const r = await route('TopicT');
    if (typeof r === 'number') throw new Error(`no route: ${r}`);
    expect(r.queueDatas.map((q) => [q.brokerName, q.readQueueNums, q.writeQueueNums, q.perm]).sort()).toEqual(
      [
        ['broker-a', 8, 8, 6],
        ['broker-b', 8, 8, 6],
      ],
    );
    const byName = Object.fromEntries(r.brokerDatas.map((b) => [b.brokerName, b]));
    expect(byName['broker-a']).toEqual({
      brokerName: 'broker-a',
      cluster: 'C1',
      brokerAddrs: { '0': '127.0.0.1:20911', '1': '127.0.0.2:20911' },
    });
    expect(byName['broker-b']!.brokerAddrs).toEqual({ '0': '127.0.0.3:20911', '1': '127.0.0.4:20911' });
    expect(r.filterServerTable).toEqual({});
    expect(r.orderTopicConf).toBeUndefined();
    // Only masters' topic tables make routes.
    expect(await route('SlaveOnly')).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(((await route('OnlyA')) as RouteJson).queueDatas.map((q) => q.brokerName)).toEqual(['broker-a']);
    expect(await route('NoSuchTopic')).toBe(ResponseCode.TOPIC_NOT_EXIST);

    const info = bodyJson<{
      brokerAddrTable: Record<string, { brokerAddrs: Record<string, string> }>;
      clusterAddrTable: Record<string, string[]>;
    }>(await call(RequestCode.GET_BROKER_CLUSTER_INFO));
    expect(sorted(info.clusterAddrTable.C1!)).toEqual(['broker-a', 'broker-b']);
    expect(info.brokerAddrTable['broker-b']!.brokerAddrs).toEqual({
      '0': '127.0.0.3:20911',
      '1': '127.0.0.4:20911',
    });

    const all = bodyJson<{ topicList: string[] }>(await call(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER));
    expect(sorted(all.topicList)).toEqual(['OnlyA', 'TopicT']);
    const byCluster = bodyJson<{ topicList: string[] }>(
      await call(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: 'C1' }),
    );
    expect(sorted(byCluster.topicList)).toEqual(['OnlyA', 'TopicT']);
    const none = bodyJson<{ topicList: string[] }>(
      await call(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: 'C9' }),
    );
    expect(none.topicList).toEqual([]);
    const sys = bodyJson<{ topicList: string[]; brokerAddr: string }>(
      await call(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS),
    );
    expect(sorted(sys.topicList)).toEqual(['C1', 'broker-a', 'broker-b']);
    expect(['127.0.0.1:20911', '127.0.0.3:20911']).toContain(sys.brokerAddr);
    for (const code of [
      RequestCode.GET_UNIT_TOPIC_LIST,
      RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST,
      RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST,
    ]) {
      expect(bodyJson<{ topicList: string[] }>(await call(code)).topicList).toEqual([]);
    }
  });

  it('reads compressed registration bodies and checks bodyCrc32', async () => {
    const c0 = broker('broker-c', 0, '127.0.0.5:20911', 'C2');
    expect((await c0.register([topicConfig('Compressed', 3)], { compressed: true, crc: true })).code).toBe(
      ResponseCode.SUCCESS,
    );
    const r = await route('Compressed');
    expect(typeof r === 'number' ? r : r.queueDatas).toEqual([
      { brokerName: 'broker-c', perm: 6, readQueueNums: 3, topicSysFlag: 0, writeQueueNums: 3 },
    ]);
    const bad = await c0.register([topicConfig('BadCrc')], { crc: 12345 });
    expect([bad.code, bad.remark]).toEqual([ResponseCode.SYSTEM_ERROR, 'crc32 not match']);
    expect(await route('BadCrc')).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(
      (await c0.register([topicConfig('GoodCrc')], { crc: true, dataVersion: { timestamp: 2, counter: 2 } }))
        .code,
    ).toBe(ResponseCode.SUCCESS);
    expect(await route('GoodCrc')).not.toBe(ResponseCode.TOPIC_NOT_EXIST);
  });

  it('applies a master topic table again only when its dataVersion changes, and answers QUERY_DATA_VERSION', async () => {
    const d0 = broker('broker-d', 0, '127.0.0.6:20911', 'C3');
    const v1 = { timestamp: 1_700_000_000_000, counter: 1 };
    await d0.register([topicConfig('Dv1')], { dataVersion: v1 });
    await d0.register([topicConfig('Dv1'), topicConfig('Dv2')], { dataVersion: v1 });
    expect(await route('Dv2')).toBe(ResponseCode.TOPIC_NOT_EXIST);
    await d0.register([topicConfig('Dv1'), topicConfig('Dv2')], { dataVersion: { ...v1, counter: 2 } });
    expect(await route('Dv2')).not.toBe(ResponseCode.TOPIC_NOT_EXIST);

    const ext = { brokerName: 'broker-d', brokerAddr: '127.0.0.6:20911', clusterName: 'C3', brokerId: '0' };
    const same = await call(
      RequestCode.QUERY_DATA_VERSION,
      ext,
      Buffer.from(JSON.stringify({ ...v1, counter: 2 })),
    );
    expect(same.extFields.changed).toBe('false');
    expect(bodyJson(same)).toEqual({ counter: 2, timestamp: v1.timestamp });
    const diff = await call(RequestCode.QUERY_DATA_VERSION, ext, Buffer.from(JSON.stringify(v1)));
    expect(diff.extFields.changed).toBe('true');
  });

  it('removes a broker at once when its connection closes; a dead master leaves its slave readable', async () => {
    const e0 = broker('broker-e', 0, '127.0.0.7:20911', 'C4');
    const e1 = broker('broker-e', 1, '127.0.0.8:20911', 'C4');
    await e0.register([topicConfig('TopicE')]);
    await e1.register([topicConfig('TopicE')]);
    await e0.close();
    const onlySlave = await eventually(async () => {
      const r = await route('TopicE');
      return typeof r !== 'number' && Object.keys(r.brokerDatas[0]!.brokerAddrs).join() === '1';
    });
    expect(onlySlave).toBe(true);
    const r = await route('TopicE');
    expect(typeof r === 'number' ? r : r.brokerDatas[0]!.brokerAddrs).toEqual({ '1': '127.0.0.8:20911' });
    // Without a live master the slave is told nothing about one.
    expect((await e1.register([topicConfig('TopicE')])).extFields).toEqual({});
    await e1.close();
    expect(await eventually(async () => (await route('TopicE')) === ResponseCode.TOPIC_NOT_EXIST)).toBe(true);
    const info = bodyJson<{ clusterAddrTable: Record<string, string[]> }>(
      await call(RequestCode.GET_BROKER_CLUSTER_INFO),
    );
    expect(info.clusterAddrTable.C4).toBeUndefined();
  });

  it('unregisters brokers; the group goes with its last address', async () => {
    const f0 = broker('broker-f', 0, '127.0.0.9:20911', 'C5');
    const f1 = broker('broker-f', 1, '127.0.0.10:20911', 'C5');
    await f0.register([topicConfig('TopicF')]);
    await f1.register([topicConfig('TopicF')]);
    expect((await f0.unregister()).code).toBe(ResponseCode.SUCCESS);
    const r = await route('TopicF');
    expect(typeof r === 'number' ? r : r.brokerDatas[0]!.brokerAddrs).toEqual({ '1': '127.0.0.10:20911' });
    await f1.unregister();
    expect(await route('TopicF')).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });

  it('wipes and adds write permission of a broker group, answering the topic counts', async () => {
    const g0 = broker('broker-g', 0, '127.0.0.11:20911', 'C6');
    await g0.register([topicConfig('G1'), topicConfig('G2', 4, 7)]);
    const wipe = await call(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName: 'broker-g' });
    expect([wipe.code, wipe.extFields.wipeTopicCount]).toEqual([ResponseCode.SUCCESS, '2']);
    const perms = async () =>
      Promise.all(['G1', 'G2'].map(async (t) => ((await route(t)) as RouteJson).queueDatas[0]!.perm));
    expect(await perms()).toEqual([4, 5]);
    const add = await call(RequestCode.ADD_WRITE_PERM_OF_BROKER, { brokerName: 'broker-g' });
    expect([add.code, add.extFields.addTopicCount]).toEqual([ResponseCode.SUCCESS, '2']);
    // As 4.9.8: ADD sets READ|WRITE, whatever the perm was.
    expect(await perms()).toEqual([6, 6]);
    expect(
      (await call(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName: 'nobody' })).extFields.wipeTopicCount,
    ).toBe('0');
  });

  it('deletes a topic in one cluster or everywhere', async () => {
    const h0 = broker('broker-h', 0, '127.0.0.12:20911', 'C7');
    const i0 = broker('broker-i', 0, '127.0.0.13:20911', 'C8');
    await h0.register([topicConfig('Shared')]);
    await i0.register([topicConfig('Shared')]);
    await call(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: 'Shared', clusterName: 'C8' });
    expect(((await route('Shared')) as RouteJson).queueDatas.map((q) => q.brokerName)).toEqual(['broker-h']);
    await call(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: 'Shared' });
    expect(await route('Shared')).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });

  it('keeps KV config, puts ORDER_TOPIC_CONFIG into routes and registration replies, and survives a restart', async () => {
    const put = await call(RequestCode.PUT_KV_CONFIG, {
      namespace: 'ORDER_TOPIC_CONFIG',
      key: 'TopicT',
      value: 'broker-a:8',
    });
    expect(put.code).toBe(ResponseCode.SUCCESS);
    await call(RequestCode.PUT_KV_CONFIG, { namespace: 'NS', key: 'k1', value: 'v1' });
    await call(RequestCode.PUT_KV_CONFIG, { namespace: 'NS', key: 'k2', value: 'v2' });
    await call(RequestCode.DELETE_KV_CONFIG, { namespace: 'NS', key: 'k2' });
    const get = await call(RequestCode.GET_KV_CONFIG, { namespace: 'NS', key: 'k1' });
    expect([get.code, get.extFields.value]).toEqual([ResponseCode.SUCCESS, 'v1']);
    const missing = await call(RequestCode.GET_KV_CONFIG, { namespace: 'NS', key: 'k2' });
    expect([missing.code, missing.remark]).toEqual([
      ResponseCode.QUERY_NOT_FOUND,
      'No config item, Namespace: NS Key: k2',
    ]);
    expect(bodyJson(await call(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'NS' }))).toEqual({
      table: { k1: 'v1' },
    });
    expect((await call(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'NOPE' })).code).toBe(
      ResponseCode.QUERY_NOT_FOUND,
    );
    expect(((await route('TopicT')) as RouteJson).orderTopicConf).toBe('broker-a:8');
    const reg = await brokers[0]!.register([topicConfig('TopicT', 8)]);
    expect(bodyJson(reg)).toEqual({ table: { TopicT: 'broker-a:8' } });
    expect(JSON.parse(await readFile(ns.kvConfigPath, 'utf8'))).toEqual({
      configTable: { ORDER_TOPIC_CONFIG: { TopicT: 'broker-a:8' }, NS: { k1: 'v1' } },
    });

    for (const b of brokers) await b.close();
    brokers.length = 0;
    const exitCode = await ns.stop();
    expect(exitCode).toBe(0);
    ns = await ns.restart();
    const again = await call(RequestCode.GET_KV_CONFIG, { namespace: 'ORDER_TOPIC_CONFIG', key: 'TopicT' });
    expect(again.extFields.value).toBe('broker-a:8');
    expect(bodyJson(await call(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'NS' }))).toEqual({
      table: { k1: 'v1' },
    });
    // Routes are not persisted: they come back with the brokers' next registrations.
    expect(await route('TopicT')).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });

  it('shows and updates its config, refusing black-listed keys', async () => {
    const text = (await call(RequestCode.GET_NAMESRV_CONFIG)).body!.toString();
    expect(text).toContain(`listenPort=${ns.port}\n`);
    expect(text).toContain('orderMessageEnable=true\n');
    const black = await call(
      RequestCode.UPDATE_NAMESRV_CONFIG,
      {},
      Buffer.from('kvConfigPath=/tmp/elsewhere.json\n'),
    );
    expect([black.code, black.remark]).toEqual([
      ResponseCode.NO_PERMISSION,
      'Can not update config in black list.',
    ]);
    const bad = await call(RequestCode.UPDATE_NAMESRV_CONFIG, {}, Buffer.from('serverWorkerThreads=many\n'));
    expect(bad.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(bad.remark).toContain('serverWorkerThreads');
    const ok = await call(
      RequestCode.UPDATE_NAMESRV_CONFIG,
      {},
      Buffer.from('orderMessageEnable=false\nnoSuchKey=1\n'),
    );
    expect(ok.code).toBe(ResponseCode.SUCCESS);
    expect((await call(RequestCode.GET_NAMESRV_CONFIG)).body!.toString()).toContain(
      'orderMessageEnable=false\n',
    );
    const stored = await readFile(`${ns.dataDir}/namesrv.properties`, 'utf8');
    expect(stored).toContain('orderMessageEnable=false\n');
    expect(stored).not.toContain('noSuchKey');
  });

  it('answers bad requests with codes and keeps serving', async () => {
    const noTopic = await call(RequestCode.GET_ROUTEINFO_BY_TOPIC);
    expect([noTopic.code, noTopic.remark]).toEqual([
      ResponseCode.SYSTEM_ERROR,
      'the custom field <topic> is null',
    ]);
    const noHeader = await call(RequestCode.REGISTER_BROKER, { brokerName: 'x' });
    expect(noHeader.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(noHeader.remark).toMatch(/the custom field <\w+> is null/);
    const regExt = {
      brokerName: 'x',
      brokerAddr: '127.0.0.99:1',
      clusterName: 'X',
      haServerAddr: 'h:1',
      brokerId: '0',
    };
    const garbage = await call(RequestCode.REGISTER_BROKER, regExt, Buffer.from('{nonsense'));
    expect(garbage.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(garbage.remark).toMatch(/^Failed to decode RegisterBrokerBody/);
    const badZlib = await call(
      RequestCode.REGISTER_BROKER,
      { ...regExt, compressed: 'true' },
      Buffer.from('xx'),
    );
    expect(badZlib.code).toBe(ResponseCode.SYSTEM_ERROR);
    const badId = await call(RequestCode.UNREGISTER_BROKER, { ...regExt, brokerId: 'zero' });
    expect(badId.code).toBe(ResponseCode.SYSTEM_ERROR);
    const noBody = await call(RequestCode.QUERY_DATA_VERSION, regExt);
    expect(noBody.code).toBe(ResponseCode.SYSTEM_ERROR);
    const unknown = await client.invokeSync(ns.addr, RemotingCommand.request(9999, {}), 5000);
    expect(unknown.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    expect(await route('StillServing')).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });
});

describe('cometmq namesrv broker expiry', () => {
  let ns: CometNamesrv;
  const client = new RemotingClient();
  const sims: BrokerSim[] = [];

  beforeAll(async () => {
    ns = await startCometNamesrv({
      args: ['--brokerChannelExpiredTime=1000', '--scanNotActiveBrokerInterval=200'],
    });
  });
  afterAll(async () => {
    for (const b of sims) await b.close();
    await client.shutdown();
    await ns?.shutdown();
  });

  it('removes a broker silent longer than brokerChannelExpiredTime and keeps one that registers', async () => {
    const silent = new BrokerSim(ns.addr, {
      clusterName: 'C',
      brokerName: 'silent',
      brokerId: 0,
      brokerAddr: '127.0.0.1:30911',
    });
    const alive = new BrokerSim(ns.addr, {
      clusterName: 'C',
      brokerName: 'alive',
      brokerId: 0,
      brokerAddr: '127.0.0.2:30911',
    });
    sims.push(silent, alive);
    const started = Date.now();
    await silent.register([topicConfig('Silent')]);
    await alive.register([topicConfig('Alive')]);
    const code = async (topic: string) =>
      (await invoke(client, ns.addr, RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic })).code;
    expect(await code('Silent')).toBe(ResponseCode.SUCCESS);
    let gone = false;
    // The live broker registers every 250 ms, as a real one does every 30 s.
    for (let i = 0; i < 40 && !gone; i++) {
      await new Promise((r) => setTimeout(r, 250));
      await alive.register([topicConfig('Alive')]);
      gone = (await code('Silent')) === ResponseCode.TOPIC_NOT_EXIST;
    }
    expect(gone).toBe(true);
    // Not before its time: the last registration was at or after `started`.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(await code('Alive')).toBe(ResponseCode.SUCCESS);
  });
});
