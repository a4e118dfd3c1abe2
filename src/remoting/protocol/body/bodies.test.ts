import { describe, expect, it } from 'vitest';
import { decodeConsumeStats, encodeConsumeStats } from './consume-stats.js';
import { decodeConsumerOffsetSerializeWrapper } from './consumer-offset-serialize-wrapper.js';
import {
  buildSubscriptionData,
  decodeHeartbeatData,
  encodeHeartbeatData,
  type HeartbeatData,
} from './heartbeat-data.js';
import { decodeResetOffsetBody, encodeResetOffsetBody } from './reset-offset-body.js';
import { decodeSubscriptionGroupWrapper } from './subscription-group-config.js';
import { decodeTopicStatsTable, encodeTopicStatsTable } from './topic-stats-table.js';

describe('bodies', () => {
  it('HeartbeatData round-trips and reads the protocol.md example', () => {
    const h: HeartbeatData = {
      clientID: '10.0.0.9@1234',
      producerDataSet: [{ groupName: 'PG' }],
      consumerDataSet: [
        {
          groupName: 'CG',
          consumeType: 'CONSUME_PASSIVELY',
          messageModel: 'CLUSTERING',
          consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
          unitMode: false,
          subscriptionDataSet: [buildSubscriptionData('T', 'TagA || TagB', 1700000000000)],
        },
      ],
    };
    expect(decodeHeartbeatData(encodeHeartbeatData(h))).toEqual(h);
    const sd = h.consumerDataSet[0]!.subscriptionDataSet[0]!;
    // Java "TagA".hashCode() and "TagB".hashCode()
    expect(sd.codeSet).toEqual([2598919, 2598920]);
    expect(sd.tagsSet).toEqual(['TagA', 'TagB']);
    expect(buildSubscriptionData('T', '*').subString).toBe('*');
    expect(buildSubscriptionData('T', '').codeSet).toEqual([]);
  });

  it('HeartbeatData rejects a body that is not one', () => {
    expect(() => decodeHeartbeatData(Buffer.from('nope'))).toThrow();
    expect(() => decodeHeartbeatData(Buffer.from('[1]'))).toThrow();
    expect(() => decodeHeartbeatData(null)).toThrow();
  });

  it('ConsumeStats is written as fastjson writes Map<MessageQueue, OffsetWrapper> and read back', () => {
    const s = {
      consumeTps: 0,
      offsetTable: [
        [
          { topic: 'T', brokerName: 'b', queueId: 0 },
          { brokerOffset: 10, consumerOffset: 4, lastTimestamp: 5 },
        ],
      ] as Array<
        [
          { topic: string; brokerName: string; queueId: number },
          { brokerOffset: number; consumerOffset: number; lastTimestamp: number },
        ]
      >,
    };
    const text = encodeConsumeStats(s).toString();
    expect(text).toBe(
      '{"consumeTps":0.0,"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"brokerOffset":10,"consumerOffset":4,"lastTimestamp":5}}}',
    );
    expect(decodeConsumeStats(Buffer.from(text))).toEqual(s);
  });

  it('TopicStatsTable and ResetOffsetBody round-trip', () => {
    const mq = { topic: 'T', brokerName: 'b', queueId: 1 };
    const t = {
      offsetTable: [[mq, { minOffset: 0, maxOffset: 9, lastUpdateTimestamp: 1 }]] as Array<
        [typeof mq, { minOffset: number; maxOffset: number; lastUpdateTimestamp: number }]
      >,
    };
    expect(decodeTopicStatsTable(encodeTopicStatsTable(t))).toEqual(t);
    const r = { offsetTable: [[mq, 42]] as Array<[typeof mq, number]> };
    expect(decodeResetOffsetBody(encodeResetOffsetBody(r))).toEqual(r);
  });

  it('reads config files as fastjson writes them (unquoted numeric keys)', () => {
    expect(decodeConsumerOffsetSerializeWrapper('{"offsetTable":{"T@G":{0:12,1:40}}}')).toEqual({
      offsetTable: { 'T@G': { '0': 12, '1': 40 } },
    });
    const w = decodeSubscriptionGroupWrapper(
      '{"subscriptionGroupTable":{"G":{"groupName":"G","consumeEnable":false}},"dataVersion":{"counter":2,"timestamp":9}}',
    );
    expect(w.subscriptionGroupTable.G!.consumeEnable).toBe(false);
    expect(w.subscriptionGroupTable.G!.retryMaxTimes).toBe(16);
    expect(w.dataVersion).toEqual({ timestamp: 9, counter: 2 });
  });
});
