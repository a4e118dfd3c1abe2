import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../common/scheduler.js';
import { FakeClock } from '../../common/testing/fake-clock.js';
import { RemotingCommandError } from '../../remoting/custom-header.js';
import { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { ResponseCode } from '../../remoting/response-code.js';
import { BrokerStatsManager, Stats } from './broker-stats-manager.js';
import { encodeBrokerStatsData, viewBrokerStatsData } from './view-broker-stats-data.js';

function view(m: BrokerStatsManager | undefined, statsName: string, statsKey: string): RemotingCommand {
  return viewBrokerStatsData(
    m,
    RemotingCommand.request(RequestCode.VIEW_BROKER_STATS_DATA, { statsName, statsKey }),
  );
}

function body(r: RemotingCommand): {
  statsMinute: { sum: number; tps: number; avgpt: number };
  statsHour: { sum: number; tps: number; avgpt: number };
  statsDay: { sum: number; tps: number; avgpt: number };
} {
  expect(r.code).toBe(ResponseCode.SUCCESS);
  return JSON.parse(r.body!.toString());
}

describe('BrokerStatsManager', () => {
  it('samples every 10 s, 10 min and hour from start, with the keys of 4.9.8', async () => {
    const clock = new FakeClock();
    const scheduler = new Scheduler(clock);
    const m = new BrokerStatsManager('DefaultCluster', true, scheduler);
    m.start();
    await clock.advanceTo(0);
    // a batch of 3 and a single message; one pull of 4 from queue 2
    m.incTopicPut('T', 3, 300);
    m.incTopicPut('T', 1, 100);
    m.incGroupGet('G', 'T', 4, 400);
    m.incGroupGetLatency('G', 'T', 2, 7);
    m.incSendBackNums('G', 'T');
    // nothing sampled yet: the items exist, their windows are empty
    expect(body(view(m, Stats.TOPIC_PUT_NUMS, 'T')).statsMinute).toEqual({ sum: 0, tps: 0, avgpt: 0 });
    await clock.advanceTo(10_000);
    const put = body(view(m, Stats.TOPIC_PUT_NUMS, 'T'));
    expect(put.statsMinute).toEqual({ sum: 4, tps: 0.4, avgpt: 2 });
    // the hour and day samples at 0 came before the item: empty until their next period
    expect(put.statsHour).toEqual({ sum: 0, tps: 0, avgpt: 0 });
    expect(put.statsDay).toEqual({ sum: 0, tps: 0, avgpt: 0 });
    expect(body(view(m, Stats.TOPIC_PUT_SIZE, 'T')).statsMinute).toEqual({ sum: 400, tps: 40, avgpt: 200 });
    expect(body(view(m, Stats.GROUP_GET_NUMS, 'T@G')).statsMinute).toEqual({ sum: 4, tps: 0.4, avgpt: 4 });
    expect(body(view(m, Stats.GROUP_GET_SIZE, 'T@G')).statsMinute.sum).toBe(400);
    // incBrokerPutNums/incBrokerGetNums add to the value only: avgpt stays 0
    expect(body(view(m, Stats.BROKER_PUT_NUMS, 'DefaultCluster')).statsMinute).toEqual({
      sum: 4,
      tps: 0.4,
      avgpt: 0,
    });
    expect(body(view(m, Stats.BROKER_GET_NUMS, 'DefaultCluster')).statsMinute.sum).toBe(4);
    // enableDetailStat: latency by queueId@topic@group
    expect(body(view(m, Stats.GROUP_GET_LATENCY, '2@T@G')).statsMinute).toEqual({
      sum: 7,
      tps: 0.7,
      avgpt: 7,
    });
    expect(view(m, Stats.GROUP_GET_LATENCY, 'T@G').code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(body(view(m, Stats.SNDBCK_PUT_NUMS, 'T@G')).statsMinute.sum).toBe(1);

    await clock.advanceTo(600_000);
    expect(body(view(m, Stats.TOPIC_PUT_NUMS, 'T')).statsHour).toEqual({
      sum: 4,
      tps: 4000 / 600_000,
      avgpt: 2,
    });
    // after a minute of 10 s samples with nothing added, the minute window is empty again
    expect(body(view(m, Stats.TOPIC_PUT_NUMS, 'T')).statsMinute.sum).toBe(0);
    await clock.advanceTo(3_600_000);
    expect(body(view(m, Stats.TOPIC_PUT_NUMS, 'T')).statsDay).toEqual({
      sum: 4,
      tps: 4000 / 3_600_000,
      avgpt: 2,
    });

    m.shutdown();
    m.incTopicPut('T', 10, 10);
    await clock.advanceTo(7_200_000);
    expect(body(view(m, Stats.TOPIC_PUT_NUMS, 'T')).statsMinute.sum).toBe(0);
    scheduler.stop();
  });

  it('keeps one item per key however many calls, and the QUEUE_* sets only with enableDetailStat', () => {
    const m = new BrokerStatsManager('C', false, new Scheduler());
    for (let i = 0; i < 1000; i++) {
      m.incTopicPut('T', 1, 10);
      m.incGroupGet('G', 'T', 2, 20);
      m.incGroupGetLatency('G', 'T', i % 4, 1);
    }
    expect(m.getStatsItemSet(Stats.TOPIC_PUT_NUMS)!.size).toBe(1);
    expect(m.getStatsItem(Stats.TOPIC_PUT_NUMS, 'T')).toMatchObject({ value: 1000, times: 1000 });
    expect(m.getStatsItem(Stats.GROUP_GET_SIZE, 'T@G')).toMatchObject({ value: 20_000, times: 1000 });
    // without detail stats the latency key is topic@group
    expect(m.getStatsItem(Stats.GROUP_GET_LATENCY, 'T@G')).toMatchObject({ value: 1000, times: 1000 });
    expect(m.getStatsItemSet(Stats.QUEUE_PUT_NUMS)).toBeUndefined();
    expect(m.getStatsItem(Stats.BROKER_GET_NUMS, 'C')).toMatchObject({ value: 2000, times: 0 });
  });

  it('forgets a deleted topic or group, and counts afresh after', () => {
    const m = new BrokerStatsManager('C', true, new Scheduler());
    m.incTopicPut('T', 1, 10);
    m.incGroupGet('G', 'T', 1, 10);
    m.incGroupGet('H', 'T', 1, 10);
    m.incGroupGetLatency('G', 'T', 0, 1);
    m.onGroupDeleted('G');
    expect(m.getStatsItem(Stats.GROUP_GET_NUMS, 'T@G')).toBeUndefined();
    expect(m.getStatsItem(Stats.GROUP_GET_LATENCY, '0@T@G')).toBeUndefined();
    expect(m.getStatsItem(Stats.GROUP_GET_NUMS, 'T@H')).toBeDefined();
    m.incGroupGet('G', 'T', 5, 10);
    expect(m.getStatsItem(Stats.GROUP_GET_NUMS, 'T@G')).toMatchObject({ value: 5 });
    m.onTopicDeleted('T');
    expect(m.getStatsItem(Stats.TOPIC_PUT_NUMS, 'T')).toBeUndefined();
    expect(m.getStatsItem(Stats.GROUP_GET_NUMS, 'T@H')).toBeUndefined();
    m.incTopicPut('T', 2, 10);
    expect(m.getStatsItem(Stats.TOPIC_PUT_NUMS, 'T')).toMatchObject({ value: 2, times: 1 });
  });
});

describe('VIEW_BROKER_STATS_DATA', () => {
  it('answers SYSTEM_ERROR for an unknown name or key, as 4.9.8', () => {
    const m = new BrokerStatsManager('C', true, new Scheduler());
    for (const [name, key] of [
      [Stats.TOPIC_PUT_NUMS, 'NoSuchTopic'],
      ['NO_SUCH_STATS', 'T'],
      [Stats.BROKER_PUT_NUMS, 'C'],
    ] as const) {
      const r = view(m, name, key);
      expect(r.code).toBe(ResponseCode.SYSTEM_ERROR);
      expect(r.remark).toBe(`The stats <${name}> <${key}> not exist`);
      expect(r.body).toBeFalsy();
    }
  });

  it('refuses a request without statsName or statsKey (@CFNotNull)', () => {
    const req = RemotingCommand.request(RequestCode.VIEW_BROKER_STATS_DATA, { statsName: 'TOPIC_PUT_NUMS' });
    expect(() => viewBrokerStatsData(undefined, req)).toThrow(RemotingCommandError);
    expect(() => viewBrokerStatsData(undefined, req)).toThrow('the custom field <statsKey> is null');
  });

  it('writes BrokerStatsData as fastjson does: names sorted, doubles with a fraction', () => {
    const s = (sum: number, tps: number, avgpt: number) => ({ sum, tps, avgpt, times: 0 });
    expect(encodeBrokerStatsData(s(4, 0.4, 2), s(0, 0, 0), s(4, 4000 / 3_600_000, 2))).toBe(
      '{"statsDay":{"avgpt":2.0,"sum":4,"tps":0.0011111111111111111},' +
        '"statsHour":{"avgpt":0.0,"sum":0,"tps":0.0},' +
        '"statsMinute":{"avgpt":2.0,"sum":4,"tps":0.4}}',
    );
  });
});
