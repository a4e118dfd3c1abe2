import { javaDouble } from '../../common/java-double.js';
import { RemotingCommandError } from '../../remoting/custom-header.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { ResponseCode } from '../../remoting/response-code.js';
import type { BrokerStatsManager } from './broker-stats-manager.js';
import type { StatsSnapshot } from './stats-item.js';

/**
 * VIEW_BROKER_STATS_DATA (AdminBrokerProcessor.ViewBrokerStatsData of 4.9.8): one stats item's
 * minute, hour and day windows, as BrokerStatsData {statsDay, statsHour, statsMinute} of
 * BrokerStatsItem {avgpt, sum, tps}. An unknown name or key is SYSTEM_ERROR "The stats <n> <k> not exist".
 */
export function viewBrokerStatsData(
  stats: BrokerStatsManager | undefined,
  request: RemotingCommand,
): RemotingCommand {
  const { statsName, statsKey } = request.extFields;
  // ViewBrokerStatsDataRequestHeader: both fields @CFNotNull
  if (statsName === undefined) throw new RemotingCommandError('the custom field <statsName> is null');
  if (statsKey === undefined) throw new RemotingCommandError('the custom field <statsKey> is null');
  const item = stats?.getStatsItem(statsName, statsKey);
  if (!item)
    return request.createResponse(
      ResponseCode.SYSTEM_ERROR,
      `The stats <${statsName}> <${statsKey}> not exist`,
    );
  const body = encodeBrokerStatsData(
    item.getStatsDataInMinute(),
    item.getStatsDataInHour(),
    item.getStatsDataInDay(),
  );
  return request.createResponse(ResponseCode.SUCCESS, null, undefined, Buffer.from(body));
}

/** BrokerStatsData as fastjson writes it: properties sorted by name, doubles as Java prints them. */
export function encodeBrokerStatsData(
  minute: StatsSnapshot,
  hour: StatsSnapshot,
  day: StatsSnapshot,
): string {
  return `{"statsDay":${encodeItem(day)},"statsHour":${encodeItem(hour)},"statsMinute":${encodeItem(minute)}}`;
}

function encodeItem(s: StatsSnapshot): string {
  return `{"avgpt":${javaDouble(s.avgpt)},"sum":${s.sum},"tps":${javaDouble(s.tps)}}`;
}
