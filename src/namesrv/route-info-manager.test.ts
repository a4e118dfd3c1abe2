import { describe, expect, it } from 'vitest';
import type { TopicConfig } from '../remoting/protocol/route/route-data.js';
import { type BrokerChannel, type RegisterBrokerRequest, RouteInfoManager } from './route-info-manager.js';

class FakeChannel implements BrokerChannel {
  closed = false;
  close(): void {
    this.closed = true;
  }
}

function topic(name: string, queues = 4, perm = 6, topicSysFlag = 0): TopicConfig {
  return {
    topicName: name,
    readQueueNums: queues,
    writeQueueNums: queues,
    perm,
    topicFilterType: 'SINGLE_TAG',
    topicSysFlag,
    order: false,
  };
}

function reg(over: Partial<RegisterBrokerRequest> & { topics?: TopicConfig[] }): RegisterBrokerRequest {
  const { topics = [], ...rest } = over;
  return {
    clusterName: 'C1',
    brokerAddr: '10.0.0.1:10911',
    brokerName: 'b1',
    brokerId: 0,
    haServerAddr: '10.0.0.1:10912',
    topicConfigTable: new Map(topics.map((t) => [t.topicName, t])),
    dataVersion: { timestamp: 1, counter: 1 },
    filterServerList: [],
    channel: new FakeChannel(),
    ...rest,
  };
}

describe('RouteInfoManager', () => {
  it('builds routes from master registrations and answers slaves with their master', () => {
    const rim = new RouteInfoManager();
    const slave1 = reg({ brokerId: 1, brokerAddr: '10.0.0.2:10911', topics: [topic('IGNORED')] });
    expect(rim.registerBroker(slave1)).toEqual({});
    expect(rim.registerBroker(reg({ topics: [topic('T', 8)] }))).toEqual({});
    expect(rim.registerBroker(slave1)).toEqual({
      haServerAddr: '10.0.0.1:10912',
      masterAddr: '10.0.0.1:10911',
    });
    rim.registerBroker(reg({ brokerName: 'b2', brokerAddr: '10.0.0.3:10911', topics: [topic('T', 4)] }));

    const route = rim.pickupTopicRouteData('T')!;
    expect(route.queueDatas.map((q) => [q.brokerName, q.readQueueNums])).toEqual([
      ['b1', 8],
      ['b2', 4],
    ]);
    expect(route.brokerDatas.map((b) => [b.brokerName, [...b.brokerAddrs]])).toEqual([
      [
        'b1',
        [
          [1, '10.0.0.2:10911'],
          [0, '10.0.0.1:10911'],
        ],
      ],
      ['b2', [[0, '10.0.0.3:10911']]],
    ]);
    expect(rim.pickupTopicRouteData('IGNORED')).toBeUndefined();
    expect(rim.getTopicsByCluster('C1').topicList).toEqual(['T']);
    expect(rim.getTopicsByCluster('nope').topicList).toEqual([]);
  });

  it('applies a master topic table only when its dataVersion changed', () => {
    const rim = new RouteInfoManager();
    rim.registerBroker(reg({ topics: [topic('T')] }));
    rim.registerBroker(reg({ topics: [topic('T'), topic('U')] }));
    expect(rim.pickupTopicRouteData('U')).toBeUndefined();
    rim.registerBroker(reg({ topics: [topic('T'), topic('U')], dataVersion: { timestamp: 1, counter: 2 } }));
    expect(rim.pickupTopicRouteData('U')).toBeDefined();
    expect(rim.isBrokerTopicConfigChanged('10.0.0.1:10911', { timestamp: 1, counter: 2 })).toBe(false);
    expect(rim.isBrokerTopicConfigChanged('10.0.0.1:10911', { timestamp: 2, counter: 2 })).toBe(true);
  });

  it('keeps a dead master group readable through its slave, and drops the group with its last address', () => {
    const rim = new RouteInfoManager();
    const masterCh = new FakeChannel();
    const slaveCh = new FakeChannel();
    rim.registerBroker(reg({ topics: [topic('T')], channel: masterCh }));
    rim.registerBroker(reg({ brokerId: 1, brokerAddr: '10.0.0.2:10911', channel: slaveCh }));
    rim.onChannelDestroy('10.0.0.1:50000', masterCh);
    const route = rim.pickupTopicRouteData('T')!;
    expect([...route.brokerDatas[0]!.brokerAddrs]).toEqual([[1, '10.0.0.2:10911']]);
    expect(rim.registerBroker(reg({ brokerId: 1, brokerAddr: '10.0.0.2:10911', channel: slaveCh }))).toEqual(
      {},
    );
    rim.onChannelDestroy('10.0.0.2:50001', slaveCh);
    expect(rim.pickupTopicRouteData('T')).toBeUndefined();
    expect(rim.clusterAddrTable.size).toBe(0);
    expect(rim.brokerAddrTable.size).toBe(0);
  });

  it('expires silent brokers and closes their channels', () => {
    let now = 1000;
    const rim = new RouteInfoManager(() => now);
    const ch = new FakeChannel();
    rim.registerBroker(reg({ topics: [topic('T')], channel: ch }));
    now += 500;
    expect(rim.scanNotActiveBroker(500)).toBe(0);
    now += 1;
    expect(rim.scanNotActiveBroker(500)).toBe(1);
    expect(ch.closed).toBe(true);
    expect(rim.pickupTopicRouteData('T')).toBeUndefined();
  });

  it('unregisters by brokerId and removes the group with its last address', () => {
    const rim = new RouteInfoManager();
    rim.registerBroker(reg({ topics: [topic('T')] }));
    rim.registerBroker(reg({ brokerId: 1, brokerAddr: '10.0.0.2:10911' }));
    rim.unregisterBroker('C1', '10.0.0.1:10911', 'b1', 0);
    expect(rim.pickupTopicRouteData('T')).toBeDefined();
    rim.unregisterBroker('C1', '10.0.0.2:10911', 'b1', 1);
    expect(rim.pickupTopicRouteData('T')).toBeUndefined();
    expect(rim.getAllClusterInfo().clusterAddrTable.size).toBe(0);
  });

  it('re-registering an address under another id moves it (slave promoted to master)', () => {
    const rim = new RouteInfoManager();
    rim.registerBroker(reg({ brokerId: 1, brokerAddr: '10.0.0.2:10911' }));
    rim.registerBroker(reg({ brokerId: 0, brokerAddr: '10.0.0.2:10911' }));
    expect([...rim.brokerAddrTable.get('b1')!.brokerAddrs]).toEqual([[0, '10.0.0.2:10911']]);
  });

  it('wipes and adds write permission per broker group, counting topics', () => {
    const rim = new RouteInfoManager();
    rim.registerBroker(reg({ topics: [topic('T'), topic('U', 4, 7)] }));
    rim.registerBroker(reg({ brokerName: 'b2', brokerAddr: '10.0.0.3:10911', topics: [topic('T')] }));
    expect(rim.wipeWritePermOfBroker('b1')).toBe(2);
    expect(rim.pickupTopicRouteData('U')!.queueDatas[0]!.perm).toBe(5);
    expect(rim.pickupTopicRouteData('T')!.queueDatas.map((q) => q.perm)).toEqual([4, 6]);
    expect(rim.addWritePermOfBroker('b1')).toBe(2);
    expect(rim.pickupTopicRouteData('U')!.queueDatas[0]!.perm).toBe(6);
    expect(rim.wipeWritePermOfBroker('nope')).toBe(0);
  });

  it('deletes a topic everywhere or in one cluster', () => {
    const rim = new RouteInfoManager();
    rim.registerBroker(reg({ topics: [topic('T')] }));
    rim.registerBroker(
      reg({ clusterName: 'C2', brokerName: 'b2', brokerAddr: '10.0.0.3:10911', topics: [topic('T')] }),
    );
    rim.deleteTopicInCluster('T', 'C2');
    expect(rim.pickupTopicRouteData('T')!.queueDatas.map((q) => q.brokerName)).toEqual(['b1']);
    rim.deleteTopic('T');
    expect(rim.getAllTopicList().topicList).toEqual([]);
  });

  it('lists system topics (cluster and broker names) and unit topics', () => {
    const rim = new RouteInfoManager();
    rim.registerBroker(
      reg({ topics: [topic('UNIT', 1, 6, 1), topic('SUB', 1, 6, 2), topic('BOTH', 1, 6, 3)] }),
    );
    expect(rim.getSystemTopicList()).toEqual({ topicList: ['C1', 'b1'], brokerAddr: '10.0.0.1:10911' });
    const slaveFirst = new RouteInfoManager();
    slaveFirst.registerBroker(reg({ brokerName: 'b0', brokerId: 1, brokerAddr: '10.0.0.5:10911' }));
    slaveFirst.registerBroker(reg({ brokerName: 'b0', brokerId: 0, brokerAddr: '10.0.0.4:10911' }));
    expect(slaveFirst.getSystemTopicList().brokerAddr).toBe('10.0.0.4:10911');
    expect(rim.getUnitTopics().topicList).toEqual(['UNIT', 'BOTH']);
    expect(rim.getHasUnitSubTopicList().topicList).toEqual(['SUB', 'BOTH']);
    expect(rim.getHasUnitSubUnUnitTopicList().topicList).toEqual(['SUB']);
  });

  it('keeps filter servers per broker address and puts them in routes', () => {
    const rim = new RouteInfoManager();
    rim.registerBroker(reg({ topics: [topic('T')], filterServerList: ['10.0.0.1:20000'] }));
    expect([...rim.pickupTopicRouteData('T')!.filterServerTable]).toEqual([
      ['10.0.0.1:10911', ['10.0.0.1:20000']],
    ]);
    rim.registerBroker(reg({ topics: [topic('T')], filterServerList: [] }));
    expect(rim.pickupTopicRouteData('T')!.filterServerTable.size).toBe(0);
  });
});
