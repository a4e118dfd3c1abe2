import type { MessageExtBrokerInner } from '../../common/message.js';
import { MessageConst, MessageSysFlag, TopicValidator } from '../../common/message-const.js';
import { getPropertyFromString } from '../../common/message-properties.js';
import { ResponseCode } from '../../remoting/response-code.js';
import { setProperty } from './timer-convert.js';

export interface TimerHookConfig {
  timerWheelEnable: boolean;
  timerMaxDelaySec: number;
}

const TIMER_NEEDLE = 'TIMER_';
const START_DELIVER_NEEDLE = MessageConst.PROPERTY_STARTDELIVERTIME;
const DECIMAL = /^-?\d+$/;

function parseMs(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = v.trim();
  return DECIMAL.test(s) ? Number(s) : Number.NaN;
}

/** Remark of RocketMQ 5's WHEEL_TIMER_MSG_ILLEGAL answer (SendMessageProcessor.handlePutMessageResult). */
export function timerIllegalRemark(maxDelaySec: number): string {
  return `timer message illegal, the delay time should not be bigger than the max delay ${maxDelaySec * 1000}ms; or if set del msg, the delay time should be bigger than the current time (timer message delay exceeds timerMaxDelaySec)`;
}

/**
 * HookUtils.handleScheduleMessage / transformTimerMessage (RocketMQ 5) on the send path: a message
 * with TIMER_DELAY_SEC, TIMER_DELAY_MS or TIMER_DELIVER_MS (in that order of precedence, as RocketMQ
 * 5), or ali-ons's __STARTDELIVERTIME (absolute ms), due in the future is parked in
 * rmq_sys_wheel_timer queue 0 with REAL_TOPIC / REAL_QID and TIMER_OUT_MS kept; its ConsumeQueue tags
 * code is the due time, so that enqueue never reads the CommitLog. Unlike RocketMQ 5, TIMER_OUT_MS is
 * the exact due time (RocketMQ rounds it down to the precision, so it can deliver up to one slot
 * early). Due now or in the past: stored as it is, straight into its topic. A delay level wins over the
 * timer properties (checkIfTimerMessage). Answers [code, remark] when the send must be refused.
 */
export function transformTimerMessage(
  msg: MessageExtBrokerInner,
  cfg: TimerHookConfig,
  clock: number | (() => number),
): [number, string] | undefined {
  const props = msg.propertiesString;
  if (!props.includes(TIMER_NEEDLE) && !props.includes(START_DELIVER_NEEDLE)) return undefined;
  // read only for timer messages: this runs for every send
  const now = typeof clock === 'number' ? clock : clock();
  const tranType = msg.sysFlag & MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;
  if (tranType !== MessageSysFlag.TRANSACTION_NOT_TYPE && tranType !== MessageSysFlag.TRANSACTION_COMMIT_TYPE)
    return undefined;
  if (msg.topic === TopicValidator.RMQ_SYS_WHEEL_TIMER_TOPIC) return undefined;
  const level = getPropertyFromString(props, MessageConst.PROPERTY_DELAY_TIME_LEVEL);
  if (level !== undefined && Number(level) > 0) return undefined;

  const sec = parseMs(getPropertyFromString(props, MessageConst.PROPERTY_TIMER_DELAY_SEC));
  const delayMs = parseMs(getPropertyFromString(props, MessageConst.PROPERTY_TIMER_DELAY_MS));
  const at = parseMs(getPropertyFromString(props, MessageConst.PROPERTY_TIMER_DELIVER_MS));
  const start = parseMs(getPropertyFromString(props, MessageConst.PROPERTY_STARTDELIVERTIME));
  let deliverMs: number;
  if (sec !== undefined) deliverMs = now + sec * 1000;
  else if (delayMs !== undefined) deliverMs = now + delayMs;
  else if (at !== undefined) deliverMs = at;
  else if (start !== undefined) deliverMs = start;
  else return undefined; // some other property that merely contains TIMER_
  if (!Number.isSafeInteger(deliverMs))
    return [ResponseCode.MESSAGE_ILLEGAL, timerIllegalRemark(cfg.timerMaxDelaySec)];
  if (deliverMs <= now) return undefined;
  if (!cfg.timerWheelEnable) {
    // RocketMQ 5: WHEEL_TIMER_NOT_ENABLE
    return [
      ResponseCode.MESSAGE_ILLEGAL,
      `accurate timer message is not enabled, timerWheelEnable is ${cfg.timerWheelEnable}`,
    ];
  }
  if (deliverMs - now > cfg.timerMaxDelaySec * 1000)
    return [ResponseCode.MESSAGE_ILLEGAL, timerIllegalRemark(cfg.timerMaxDelaySec)];

  let p = setProperty(props, MessageConst.PROPERTY_TIMER_OUT_MS, String(deliverMs));
  p = setProperty(p, MessageConst.PROPERTY_REAL_TOPIC, msg.topic);
  p = setProperty(p, MessageConst.PROPERTY_REAL_QUEUE_ID, String(msg.queueId));
  msg.propertiesString = p;
  msg.topic = TopicValidator.RMQ_SYS_WHEEL_TIMER_TOPIC;
  msg.queueId = 0;
  msg.tagsCode = deliverMs;
  return undefined;
}
