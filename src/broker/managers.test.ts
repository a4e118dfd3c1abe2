import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSubscriptionData } from '../remoting/protocol/body/heartbeat-data.js';
import type { RemotingChannel } from '../remoting/remoting-channel.js';
import type { RemotingCommand } from '../remoting/remoting-command.js';
import { defaultBrokerConfig } from './broker-config.js';
import { type ConsumerGroupEvent, ConsumerManager } from './client/consumer-manager.js';
import { ProducerManager } from './client/producer-manager.js';
import { ExpressionMessageFilter } from './filter/expression-message-filter.js';
import { ConsumerOffsetManager } from './offset/consumer-offset-manager.js';
import { SubscriptionGroupManager } from './subscription/subscription-group-manager.js';
import { TopicConfigManager } from './topic/topic-config-manager.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cometmq-broker-managers-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function fakeChannel(id: number): RemotingChannel & { closed: boolean } {
  return {
    id,
    remoteAddress: `127.0.0.1:${1000 + id}`,
    localAddress: '127.0.0.1:10911',
    isOpen: true,
    closed: false,
    send(_cmd: RemotingCommand) {},
    invoke: () => Promise.reject(new Error('no')),
    invokeOneway() {},
    close() {
      this.closed = true;
    },
  };
}

describe('TopicConfigManager', () => {
  it('has the system topics, auto-creates from TBW102 and persists as RocketMQ', async () => {
    const cfg = { ...defaultBrokerConfig(), brokerName: 'b1' };
    const m = new TopicConfigManager(cfg, dir);
    expect(m.selectTopicConfig('TBW102')?.perm).toBe(7);
    expect(m.selectTopicConfig('SCHEDULE_TOPIC_XXXX')?.readQueueNums).toBe(18);
    let created = 0;
    m.onTopicCreated = () => created++;
    const v0 = m.dataVersion.counter;
    const tc = m.createTopicInSendMessageMethod('T1', 'TBW102', '1.2.3.4:5', 4, 0)!;
    expect(tc).toMatchObject({ topicName: 'T1', readQueueNums: 4, writeQueueNums: 4, perm: 6 });
    expect(m.createTopicInSendMessageMethod('T2', 'NOPE', 'x', 4, 0)).toBeUndefined();
    expect(created).toBe(1);
    expect(m.dataVersion.counter).toBe(v0 + 1);
    await m.persist();
    const json = JSON.parse(await readFile(join(dir, 'config', 'topics.json'), 'utf8'));
    expect(json.topicConfigTable.T1.writeQueueNums).toBe(4);
    expect(json.dataVersion.counter).toBe(v0 + 1);
    const m2 = new TopicConfigManager(cfg, dir);
    await m2.load();
    expect(m2.selectTopicConfig('T1')).toEqual(tc);
    expect(m2.dataVersion).toEqual(m.dataVersion);
  });

  it('keeps a .bak and falls back to it when the file is torn', async () => {
    const cfg = defaultBrokerConfig();
    const m = new TopicConfigManager(cfg, dir);
    m.updateTopicConfig({ ...m.selectTopicConfig('TBW102')!, topicName: 'A' });
    await m.persist();
    m.updateTopicConfig({ ...m.selectTopicConfig('TBW102')!, topicName: 'B' });
    await m.persist();
    const file = join(dir, 'config', 'topics.json');
    expect(JSON.parse(await readFile(`${file}.bak`, 'utf8')).topicConfigTable.A).toBeDefined();
    await writeFile(file, '{"topicConfigTable":{"A":');
    const m2 = new TopicConfigManager(cfg, dir);
    await m2.load();
    expect(m2.selectTopicConfig('A')).toBeDefined();
  });
});

describe('ConsumerOffsetManager', () => {
  it('commits, queries and reads fastjson files with unquoted keys', async () => {
    const m = new ConsumerOffsetManager(dir);
    expect(m.queryOffset('G', 'T', 0)).toBe(-1);
    m.commitOffset('c', 'G', 'T', 0, 12);
    m.commitOffset('c', 'G', 'T', 1, 40);
    expect(m.queryOffset('G', 'T', 1)).toBe(40);
    expect([...m.whichTopicByConsumer('G')]).toEqual(['T']);
    await m.persist();
    const m2 = new ConsumerOffsetManager(dir);
    await m2.load();
    expect(m2.queryOffset('G', 'T', 0)).toBe(12);
    await writeFile(join(dir, 'config', 'consumerOffset.json'), '{"offsetTable":{"X@G2":{0:7,3:9}}}');
    const m3 = new ConsumerOffsetManager(dir);
    await m3.load();
    expect(m3.queryOffset('G2', 'X', 3)).toBe(9);
  });
});

describe('SubscriptionGroupManager', () => {
  it('auto-creates groups only when allowed', async () => {
    const m = new SubscriptionGroupManager(
      { ...defaultBrokerConfig(), autoCreateSubscriptionGroup: false },
      dir,
    );
    expect(m.findSubscriptionGroupConfig('G')).toBeUndefined();
    expect(m.findSubscriptionGroupConfig('CID_RMQ_SYS_X')?.retryMaxTimes).toBe(16);
    // m's own write (of the system group) must not land after m2's below: both write one file
    await m.persist();
    const m2 = new SubscriptionGroupManager(defaultBrokerConfig(), dir);
    expect(m2.findSubscriptionGroupConfig('G')?.consumeEnable).toBe(true);
    await m2.persist();
    const m3 = new SubscriptionGroupManager(defaultBrokerConfig(), dir);
    await m3.load();
    expect(m3.subscriptionGroupTable.has('G')).toBe(true);
  });
});

describe('ConsumerManager / ProducerManager', () => {
  it('tracks members, notifies on change, expires silent channels after 120 s', () => {
    const events: Array<[ConsumerGroupEvent, string, number]> = [];
    const cm = new ConsumerManager((e, g, chs) => events.push([e, g, chs.length]));
    const c1 = fakeChannel(1);
    const c2 = fakeChannel(2);
    const info = (ch: RemotingChannel, id: string, t = Date.now()) => ({
      channel: ch,
      clientId: id,
      language: 'JAVA',
      version: 1,
      lastUpdateTimestamp: t,
    });
    const subs = [buildSubscriptionData('T', 'a||b', 1)];
    expect(cm.registerConsumer('G', info(c1, 'c1'), 'CONSUME_PASSIVELY', 'CLUSTERING', 'X', subs, true)).toBe(
      true,
    );
    expect(cm.registerConsumer('G', info(c1, 'c1'), 'CONSUME_PASSIVELY', 'CLUSTERING', 'X', subs, true)).toBe(
      false,
    );
    cm.registerConsumer(
      'G',
      info(c2, 'c2', Date.now() - 121_000),
      'CONSUME_PASSIVELY',
      'CLUSTERING',
      'X',
      subs,
      true,
    );
    expect(events).toEqual([
      ['CHANGE', 'G', 1],
      ['CHANGE', 'G', 2],
    ]);
    expect(cm.getConsumerGroupInfo('G')?.getAllClientIds().sort()).toEqual(['c1', 'c2']);
    cm.scanNotActiveChannel();
    expect(c2.closed).toBe(true);
    expect(cm.getConsumerGroupInfo('G')?.getAllClientIds()).toEqual(['c1']);
    cm.doChannelCloseEvent(c1, () => true);
    expect(cm.getConsumerGroupInfo('G')).toBeUndefined();
    expect(events.at(-2)).toEqual(['UNREGISTER', 'G', 0]);

    const pm = new ProducerManager();
    pm.registerProducer('PG', info(c1, 'c1'));
    expect(pm.getAvailableChannel('PG')).toBe(c1);
    pm.doChannelCloseEvent(c1);
    expect(pm.groupChannelTable.size).toBe(0);
  });
});

describe('ExpressionMessageFilter', () => {
  it('matches by tag hash code, everything for *', () => {
    const f = new ExpressionMessageFilter(buildSubscriptionData('T', 'TagA || TagB'));
    expect(f.isMatchedByConsumeQueue(2598919)).toBe(true);
    expect(f.isMatchedByConsumeQueue(0)).toBe(false);
    expect(new ExpressionMessageFilter(buildSubscriptionData('T', '*')).isMatchedByConsumeQueue(0)).toBe(
      true,
    );
    expect(new ExpressionMessageFilter(undefined).isMatchedByConsumeQueue(5)).toBe(true);
  });
});
