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

/**
 * A double as fastjson 1.2.69 writes it (Java's Double.toString form with the shortest digits):
 * always a fraction ("1.0"), scientific "1.5E-5" below 10^-3 and from 10^7 on, NaN and the
 * infinities as null (a window whose two samples share a millisecond divides by zero).
 */
export function javaDouble(v: number): string {
  if (!Number.isFinite(v)) return 'null';
  const abs = Math.abs(v);
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) {
    const s = String(v);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa = '', exponent = ''] = v.toExponential().split('e');
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${m}E${exponent.startsWith('+') ? exponent.slice(1) : exponent}`;
}
