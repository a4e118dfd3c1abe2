import { optionalString, requireInt, requireLong, requireString } from '../../custom-header.js';

/**
 * Reply to SEND_MESSAGE / SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE (SendMessageResponseHeader). The broker
 * also puts MSG_REGION and TRACE_ON into the same extFields (SendMessageProcessor), which clients read
 * to fill SendResult.regionId / traceOn.
 */
export interface SendMessageResponseHeader {
  msgId: string;
  queueId: number;
  queueOffset: number;
  transactionId?: string;
  MSG_REGION?: string;
  TRACE_ON?: string;
}

export function encodeSendMessageResponseHeader(h: SendMessageResponseHeader): Record<string, string> {
  const out: Record<string, string> = {
    msgId: h.msgId,
    queueId: String(h.queueId),
    queueOffset: String(h.queueOffset),
  };
  if (h.transactionId !== undefined) out.transactionId = h.transactionId;
  if (h.MSG_REGION !== undefined) out.MSG_REGION = h.MSG_REGION;
  if (h.TRACE_ON !== undefined) out.TRACE_ON = h.TRACE_ON;
  return out;
}

export function decodeSendMessageResponseHeader(ext: Record<string, string>): SendMessageResponseHeader {
  const h: SendMessageResponseHeader = {
    msgId: requireString(ext, 'msgId'),
    queueId: requireInt(ext, 'queueId'),
    queueOffset: requireLong(ext, 'queueOffset'),
  };
  const tx = optionalString(ext, 'transactionId');
  if (tx !== undefined) h.transactionId = tx;
  const region = optionalString(ext, 'MSG_REGION');
  if (region !== undefined) h.MSG_REGION = region;
  const trace = optionalString(ext, 'TRACE_ON');
  if (trace !== undefined) h.TRACE_ON = trace;
  return h;
}
