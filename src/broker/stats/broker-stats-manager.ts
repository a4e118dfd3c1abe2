import { MixAll, TopicValidator } from '../../common/message-const.js';
import type { ScheduledTask, Scheduler } from '../../common/scheduler.js';
import {
  SAMPLE_IN_HOUR_MS,
  SAMPLE_IN_MINUTES_MS,
  SAMPLE_IN_SECONDS_MS,
  type StatsItem,
} from './stats-item.js';
import { StatsItemSet } from './stats-item-set.js';

/** RocketMQ 4.9.8's stats names (common/stats/Stats), as VIEW_BROKER_STATS_DATA's statsName takes them. */
export const Stats = {
  QUEUE_PUT_NUMS: 'QUEUE_PUT_NUMS',
  QUEUE_PUT_SIZE: 'QUEUE_PUT_SIZE',
  QUEUE_GET_NUMS: 'QUEUE_GET_NUMS',
  QUEUE_GET_SIZE: 'QUEUE_GET_SIZE',
  TOPIC_PUT_NUMS: 'TOPIC_PUT_NUMS',
  TOPIC_PUT_SIZE: 'TOPIC_PUT_SIZE',
  GROUP_GET_NUMS: 'GROUP_GET_NUMS',
  GROUP_GET_SIZE: 'GROUP_GET_SIZE',
  SNDBCK_PUT_NUMS: 'SNDBCK_PUT_NUMS',
  BROKER_PUT_NUMS: 'BROKER_PUT_NUMS',
  BROKER_GET_NUMS: 'BROKER_GET_NUMS',
  GROUP_GET_FROM_DISK_NUMS: 'GROUP_GET_FROM_DISK_NUMS',
  GROUP_GET_FROM_DISK_SIZE: 'GROUP_GET_FROM_DISK_SIZE',
  BROKER_GET_FROM_DISK_NUMS: 'BROKER_GET_FROM_DISK_NUMS',
  BROKER_GET_FROM_DISK_SIZE: 'BROKER_GET_FROM_DISK_SIZE',
  COMMERCIAL_SEND_TIMES: 'COMMERCIAL_SEND_TIMES',
  COMMERCIAL_SNDBCK_TIMES: 'COMMERCIAL_SNDBCK_TIMES',
  COMMERCIAL_RCV_TIMES: 'COMMERCIAL_RCV_TIMES',
  COMMERCIAL_RCV_EPOLLS: 'COMMERCIAL_RCV_EPOLLS',
  COMMERCIAL_SEND_SIZE: 'COMMERCIAL_SEND_SIZE',
  COMMERCIAL_RCV_SIZE: 'COMMERCIAL_RCV_SIZE',
  COMMERCIAL_PERM_FAILURES: 'COMMERCIAL_PERM_FAILURES',
  GROUP_GET_LATENCY: 'GROUP_GET_LATENCY',
} as const;

/** The items one pull of (topic, group) adds to, found once (no `topic@group` string per pull). */
interface GroupGetItems {
  readonly nums: StatsItem;
  readonly size: StatsItem;
  /** GROUP_GET_LATENCY: by queueId with enableDetailStat (key queueId@topic@group), else [0]. */
  readonly latency: StatsItem[];
}

interface TopicPutItems {
  readonly nums: StatsItem;
  readonly size: StatsItem;
}

/**
 * BrokerStatsManager of RocketMQ 4.9.8: the per-topic, per-group and per-broker counters mqadmin
 * statsAll reads through VIEW_BROKER_STATS_DATA. The sets are RocketMQ's (the QUEUE_* ones only with
 * enableDetailStat, as BrokerConfig.enableDetailStat feeds enableQueueStat); the
 * GROUP_GET_FROM_DISK_* and COMMERCIAL_* sets exist but, as in 4.9.8's broker, nothing adds to them.
 * The hot paths (incTopicPut, incGroupGet) find their items through small caches, so a send or a pull
 * costs a Map lookup or two and a few additions, whatever the number of messages it carries.
 */
export class BrokerStatsManager {
  private readonly statsTable = new Map<string, StatsItemSet>();
  private readonly topicPutCache = new Map<string, TopicPutItems>();
  private readonly groupGetCache = new Map<string, Map<string, GroupGetItems>>();
  /** incBrokerPutNums/incBrokerGetNums: keyed by the cluster name, created on first use; only the value grows. */
  private brokerPutNums: StatsItem | undefined;
  private brokerGetNums: StatsItem | undefined;
  private tasks: ScheduledTask[] = [];

  constructor(
    readonly clusterName: string,
    readonly enableQueueStat: boolean,
    private readonly scheduler: Scheduler,
  ) {
    for (const name of Object.values(Stats)) {
      if (!enableQueueStat && name.startsWith('QUEUE_')) continue;
      this.statsTable.set(name, new StatsItemSet(name));
    }
  }

  /**
   * As each StatsItemSet's executor: samples for the minute window every 10 s, for the hour every
   * 10 min, for the day every hour, the first of each right away.
   */
  start(): void {
    if (this.tasks.length > 0) return;
    const every = (name: string, periodMs: number, sample: (set: StatsItemSet, now: number) => void) =>
      this.scheduler.every(
        name,
        periodMs,
        () => {
          const now = this.scheduler.now();
          for (const set of this.statsTable.values()) sample(set, now);
        },
        0,
      );
    this.tasks = [
      every('stats-sampling-seconds', SAMPLE_IN_SECONDS_MS, (s, now) => s.samplingInSeconds(now)),
      every('stats-sampling-minutes', SAMPLE_IN_MINUTES_MS, (s, now) => s.samplingInMinutes(now)),
      every('stats-sampling-hour', SAMPLE_IN_HOUR_MS, (s, now) => s.samplingInHour(now)),
    ];
  }

  shutdown(): void {
    for (const t of this.tasks) t.cancel();
    this.tasks = [];
  }

  /** Samples every item now, as the three periodic tasks would (for tests and a clean stop). */
  sampleAll(now = this.scheduler.now()): void {
    for (const set of this.statsTable.values()) {
      set.samplingInSeconds(now);
      set.samplingInMinutes(now);
      set.samplingInHour(now);
    }
  }

  getStatsItemSet(statsName: string): StatsItemSet | undefined {
    return this.statsTable.get(statsName);
  }

  /** BrokerStatsManager.getStatsItem: undefined for an unknown name or key. */
  getStatsItem(statsName: string, statsKey: string): StatsItem | undefined {
    return this.statsTable.get(statsName)?.getStatsItem(statsKey);
  }

  /**
   * A stored send (SendMessageProcessor.handlePutMessageResult on PUT_OK and the flush/slave
   * timeouts): incTopicPutNums(topic, msgNum, 1), incTopicPutSize(topic, wroteBytes),
   * incBrokerPutNums(msgNum). One call per request, a batch counting all its messages.
   */
  incTopicPut(topic: string, msgNum: number, wroteBytes: number): void {
    let items = this.topicPutCache.get(topic);
    if (items === undefined) {
      items = {
        nums: this.set(Stats.TOPIC_PUT_NUMS).getAndCreateStatsItem(topic),
        size: this.set(Stats.TOPIC_PUT_SIZE).getAndCreateStatsItem(topic),
      };
      this.topicPutCache.set(topic, items);
    }
    items.nums.add(msgNum, 1);
    items.size.add(wroteBytes, 1);
    this.incBrokerPutNums(msgNum);
  }

  /**
   * A pull answered SUCCESS (PullMessageProcessor): incGroupGetNums(group, topic, messageCount),
   * incGroupGetSize(group, topic, bufferTotalSize), incBrokerGetNums(messageCount).
   */
  incGroupGet(group: string, topic: string, msgCount: number, totalSize: number): void {
    const items = this.groupGetItems(group, topic);
    items.nums.add(msgCount, 1);
    items.size.add(totalSize, 1);
    this.incBrokerGetNums(msgCount);
  }

  /** incGroupGetLatency: key queueId@topic@group with enableQueueStat, else topic@group. */
  incGroupGetLatency(group: string, topic: string, queueId: number, latencyMs: number): void {
    const latency = this.groupGetItems(group, topic).latency;
    const slot = this.enableQueueStat ? queueId : 0;
    let item = latency[slot];
    if (item === undefined) {
      const key = this.enableQueueStat ? `${queueId}@${topic}@${group}` : buildStatsKey(topic, group);
      item = this.set(Stats.GROUP_GET_LATENCY).getAndCreateStatsItem(key);
      latency[slot] = item;
    }
    item.add(latencyMs, 1);
  }

  /**
   * ScheduleMessageService put a due message into its real topic (4.9.8 with
   * enableScheduleMessageStats, its default): a "get" of SCHEDULE_CONSUMER from SCHEDULE_TOPIC_XXXX
   * (queue level - 1 with queue stats) and a put to the real topic, broker puts included.
   */
  incScheduleDelivered(realTopic: string, delayLevel: number, wroteBytes: number): void {
    const group = MixAll.SCHEDULE_CONSUMER_GROUP;
    const topic = TopicValidator.RMQ_SYS_SCHEDULE_TOPIC;
    if (this.enableQueueStat) {
      const key = `${topic}@${delayLevel - 1}@${group}`;
      this.statsTable.get(Stats.QUEUE_GET_NUMS)?.addValue(key, 1, 1);
      this.statsTable.get(Stats.QUEUE_GET_SIZE)?.addValue(key, wroteBytes, 1);
    }
    const items = this.groupGetItems(group, topic);
    items.nums.add(1, 1);
    items.size.add(wroteBytes, 1);
    this.incTopicPut(realTopic, 1, wroteBytes);
  }

  /** A message a consumer sent back was stored: SNDBCK_PUT_NUMS of topic@group. */
  incSendBackNums(group: string, topic: string): void {
    this.set(Stats.SNDBCK_PUT_NUMS).addValue(buildStatsKey(topic, group), 1, 1);
  }

  incTopicPutNums(topic: string, num = 1, times = 1): void {
    this.set(Stats.TOPIC_PUT_NUMS).addValue(topic, num, times);
  }

  incTopicPutSize(topic: string, size: number): void {
    this.set(Stats.TOPIC_PUT_SIZE).addValue(topic, size, 1);
  }

  incBrokerPutNums(incValue = 1): void {
    this.brokerPutNums ??= this.set(Stats.BROKER_PUT_NUMS).getAndCreateStatsItem(this.clusterName);
    this.brokerPutNums.value += incValue;
  }

  incBrokerGetNums(incValue: number): void {
    this.brokerGetNums ??= this.set(Stats.BROKER_GET_NUMS).getAndCreateStatsItem(this.clusterName);
    this.brokerGetNums.value += incValue;
  }

  /** incQueuePutNums: topic@queueId, kept only with enableQueueStat. */
  incQueuePutNums(topic: string, queueId: number, num = 1, times = 1): void {
    this.statsTable.get(Stats.QUEUE_PUT_NUMS)?.addValue(`${topic}@${queueId}`, num, times);
  }

  incQueuePutSize(topic: string, queueId: number, size: number): void {
    this.statsTable.get(Stats.QUEUE_PUT_SIZE)?.addValue(`${topic}@${queueId}`, size, 1);
  }

  /** tpsGroupGetNums: the group's pull rate over the last minute (ConsumeStats.consumeTps). */
  tpsGroupGetNums(group: string, topic: string): number {
    return this.set(Stats.GROUP_GET_NUMS).getStatsDataInMinute(buildStatsKey(topic, group)).tps;
  }

  /** onTopicDeleted (4.9.8 calls it on DELETE_TOPIC when autoDeleteUnusedStats is on). */
  onTopicDeleted(topic: string): void {
    this.set(Stats.TOPIC_PUT_NUMS).delValue(topic);
    this.set(Stats.TOPIC_PUT_SIZE).delValue(topic);
    for (const name of [
      Stats.QUEUE_PUT_NUMS,
      Stats.QUEUE_PUT_SIZE,
      Stats.QUEUE_GET_NUMS,
      Stats.QUEUE_GET_SIZE,
    ])
      this.statsTable.get(name)?.delValueByPrefixKey(topic, '@');
    this.set(Stats.GROUP_GET_NUMS).delValueByPrefixKey(topic, '@');
    this.set(Stats.GROUP_GET_SIZE).delValueByPrefixKey(topic, '@');
    this.set(Stats.SNDBCK_PUT_NUMS).delValueByPrefixKey(topic, '@');
    const latency = this.set(Stats.GROUP_GET_LATENCY);
    // 4.9.8 looks for @topic@ only, which misses the topic@group keys kept without enableQueueStat
    if (this.enableQueueStat) latency.delValueByInfixKey(topic, '@');
    else latency.delValueByPrefixKey(topic, '@');
    this.topicPutCache.delete(topic);
    this.groupGetCache.delete(topic);
  }

  /** onGroupDeleted (4.9.8 calls it on DELETE_SUBSCRIPTIONGROUP when autoDeleteUnusedStats is on). */
  onGroupDeleted(group: string): void {
    for (const name of [
      Stats.GROUP_GET_NUMS,
      Stats.GROUP_GET_SIZE,
      Stats.QUEUE_GET_NUMS,
      Stats.QUEUE_GET_SIZE,
      Stats.SNDBCK_PUT_NUMS,
      Stats.GROUP_GET_LATENCY,
    ])
      this.statsTable.get(name)?.delValueBySuffixKey(group, '@');
    for (const byGroup of this.groupGetCache.values()) byGroup.delete(group);
  }

  private groupGetItems(group: string, topic: string): GroupGetItems {
    let byGroup = this.groupGetCache.get(topic);
    if (byGroup === undefined) {
      byGroup = new Map();
      this.groupGetCache.set(topic, byGroup);
    }
    let items = byGroup.get(group);
    if (items === undefined) {
      const key = buildStatsKey(topic, group);
      items = {
        nums: this.set(Stats.GROUP_GET_NUMS).getAndCreateStatsItem(key),
        size: this.set(Stats.GROUP_GET_SIZE).getAndCreateStatsItem(key),
        latency: [],
      };
      byGroup.set(group, items);
    }
    return items;
  }

  private set(name: string): StatsItemSet {
    return this.statsTable.get(name)!;
  }
}

/** BrokerStatsManager.buildStatsKey(topic, group): `topic@group`. */
export function buildStatsKey(topic: string, group: string): string {
  return `${topic}@${group}`;
}
