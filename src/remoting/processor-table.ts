/**
 * Request dispatch shared by RemotingServer and RemotingClient (NettyRemotingAbstract
 * .processRequestCommand): a processor per code, a default for the rest, errors turned into
 * SYSTEM_ERROR responses, nothing thrown back into the socket's event handler.
 */
import { componentLogger } from '../common/logger.js';
import { RemotingCommandError } from './custom-header.js';
import type { RemotingChannel, RequestProcessor, Responder } from './remoting-channel.js';
import { FLAG_RESPONSE, type RemotingCommand } from './remoting-command.js';
import { ResponseCode } from './response-code.js';

const log = componentLogger('remoting');

/** As RocketMQ's answer for a code nobody handles (remark text included, leading space and all). */
export const notSupportedProcessor: RequestProcessor = (request) =>
  request.createResponse(
    ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
    ` request type ${request.code} not supported`,
  );

/** Codes below this (all of RocketMQ 4's) are looked up by index: a Map lookup per request showed. */
const INDEXED_CODES = 1024;

export class ProcessorTable implements Responder {
  private readonly indexed: (RequestProcessor | undefined)[] = new Array(INDEXED_CODES).fill(undefined);
  private readonly processors = new Map<number, RequestProcessor>();
  private defaultProcessor: RequestProcessor = notSupportedProcessor;

  register(code: number, processor: RequestProcessor): void {
    if (Number.isInteger(code) && code >= 0 && code < INDEXED_CODES) this.indexed[code] = processor;
    else this.processors.set(code, processor);
  }

  registerDefault(processor: RequestProcessor): void {
    this.defaultProcessor = processor;
  }

  dispatch(request: RemotingCommand, channel: RemotingChannel): void {
    const code = request.code;
    const processor =
      (code >= 0 && code < INDEXED_CODES ? this.indexed[code] : this.processors.get(code)) ??
      this.defaultProcessor;
    let result: RemotingCommand | null | Promise<RemotingCommand | null>;
    try {
      result = processor(request, channel, this);
    } catch (err) {
      this.fail(request, channel, err);
      return;
    }
    // `!= null`: a processor written in plain JS may return undefined; treat it as null.
    if (result != null && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<RemotingCommand | null>).then(
        (response) => this.respond(request, channel, response),
        (err: unknown) => this.fail(request, channel, err),
      );
    } else {
      this.respond(request, channel, (result ?? null) as RemotingCommand | null);
    }
  }

  // Never throws: it runs inside promise callbacks, where a throw would be an unhandled rejection.
  respond(request: RemotingCommand, channel: RemotingChannel, response: RemotingCommand | null): void {
    if (response === null || response === undefined || request.isOneway()) return;
    // As the RemotingResponseCallback: the response always carries the request's opaque and type.
    response.opaque = request.opaque;
    response.flag |= FLAG_RESPONSE;
    response.serializeType = request.serializeType;
    if (!channel.isOpen) {
      log.debug({ code: request.code, remote: channel.remoteAddress }, 'response dropped: channel closed');
      return;
    }
    try {
      channel.send(response);
    } catch (err) {
      log.warn({ err, code: request.code, remote: channel.remoteAddress }, 'response could not be encoded');
      if (response.code !== ResponseCode.SYSTEM_ERROR) {
        this.fail(request, channel, err);
      }
    }
  }

  private fail(request: RemotingCommand, channel: RemotingChannel, err: unknown): void {
    if (err instanceof RemotingCommandError) {
      log.debug(
        { code: request.code, remote: channel.remoteAddress, err: err.message },
        'bad request header',
      );
    } else {
      log.warn({ err, code: request.code, remote: channel.remoteAddress }, 'process request exception');
    }
    const remark = err instanceof Error ? err.message : String(err);
    this.respond(request, channel, request.createResponse(ResponseCode.SYSTEM_ERROR, remark));
  }
}
