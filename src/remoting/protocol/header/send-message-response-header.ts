import { optionalString, requireInt, requireLong, requireString } from '../../custom-header.js';
import {
  type ExtFieldsSource,
  FLAG_RESPONSE,
  REMOTING_VERSION,
  RemotingCommand,
} from '../../remoting-command.js';

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

const NO_EXT_FIELDS: Record<string, string> = {};
let regionJsonFor = '';
let regionJson = '""';

/**
 * A send's reply as SendMessageProcessor writes it (msgId, queueId, queueOffset, MSG_REGION, TRACE_ON):
 * its JSON header is one template instead of an extFields map that the general encoding then walks
 * and escapes, once per message on the send path. The map is built only if something reads it.
 */
export class SendMessageResponseCommand extends RemotingCommand implements ExtFieldsSource {
  constructor(
    request: RemotingCommand,
    code: number,
    private readonly msgId: string,
    private readonly queueId: number,
    private readonly queueOffset: number,
    private readonly region: string,
    private readonly traceOn: boolean,
  ) {
    super(
      code,
      'JAVA',
      REMOTING_VERSION,
      request.opaque,
      FLAG_RESPONSE,
      null,
      NO_EXT_FIELDS,
      null,
      request.serializeType,
    );
    this.deferExtFields(this);
  }

  decode(): Record<string, string> {
    return encodeSendMessageResponseHeader({
      msgId: this.msgId,
      queueId: this.queueId,
      queueOffset: this.queueOffset,
      MSG_REGION: this.region,
      TRACE_ON: this.traceOn ? 'true' : 'false',
    });
  }

  override jsonHeaderText(): string | undefined {
    // once the map exists it may have been changed: the general encoding writes what it holds
    if (!this.extFieldsDeferred || this.remark !== null || this.language !== 'JAVA') return undefined;
    if (regionJsonFor !== this.region) {
      regionJson = JSON.stringify(this.region);
      regionJsonFor = this.region;
    }
    // msgId is hex digits (commas between a batch's ids): nothing to escape
    return `{"code":${this.code | 0},"extFields":{"msgId":"${this.msgId}","queueId":"${this.queueId}","queueOffset":"${this.queueOffset}","MSG_REGION":${regionJson},"TRACE_ON":"${this.traceOn ? 'true' : 'false'}"},"flag":${this.flag | 0},"language":"JAVA","opaque":${this.opaque | 0},"serializeTypeCurrentRPC":"JSON","version":${this.version | 0}}`;
  }
}
