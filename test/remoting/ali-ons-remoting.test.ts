/**
 * ali-ons (a RocketMQ client we did not write) speaks to our RemotingServer through its own channel
 * and command codec: its JSON header (numbers in extFields, no serializeTypeCurrentRPC) decodes,
 * and our responses decode on its side.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemotingCommand } from '../../src/remoting/remoting-command.js';
import { RemotingServer } from '../../src/remoting/remoting-server.js';
import { ResponseCode } from '../../src/remoting/response-code.js';

interface AliCommand {
  code: number;
  opaque: number;
  flag: number;
  remark?: string;
  extFields: Record<string, unknown>;
  body?: Buffer;
  isResponseType: boolean;
}
interface AliChannel {
  invoke(command: unknown, timeout: number): Promise<AliCommand>;
  invokeOneway(command: unknown): Promise<void>;
  close(): void;
  ready(): Promise<void>;
}

const require = createRequire(import.meta.url);
const AliRemotingCommand = require('ali-ons/lib/protocol/command/remoting_command') as {
  createRequestCommand(code: number, customHeader?: Record<string, unknown>): { body: Buffer | null };
};
const AliChannelClass = require('ali-ons/lib/channel') as new (addr: string) => AliChannel;

describe('ali-ons talks to RemotingServer', () => {
  const server = new RemotingServer({ host: '127.0.0.1', port: 0 });
  const seen: RemotingCommand[] = [];
  let channel: AliChannel;

  beforeAll(async () => {
    server.registerProcessor(310, (req) => {
      seen.push(req);
      return req.createResponse(
        ResponseCode.SUCCESS,
        null,
        { msgId: '7F00000100002A9F0000000000000000', queueId: req.extFields.e, queueOffset: 42 },
        Buffer.from('réponse'),
      );
    });
    server.registerProcessor(15, (req) => {
      seen.push(req);
      return null;
    });
    await server.start();
    channel = new AliChannelClass(`127.0.0.1:${server.port}`);
    await channel.ready();
  });

  afterAll(async () => {
    channel?.close();
    await server.stop();
  });

  it('decodes its request and it decodes our response', async () => {
    const request = AliRemotingCommand.createRequestCommand(310, {
      a: 'PG',
      b: 'TopicTest',
      e: 3,
      g: 1_700_000_000_000,
      i: 'TAGS\u0001TagA\u0002WAIT\u0001true',
      k: false,
      z: null,
    });
    request.body = Buffer.from('corps du message');
    const response = await channel.invoke(request, 3000);
    const req = seen.at(-1)!;
    expect(req.extFields).toEqual({
      a: 'PG',
      b: 'TopicTest',
      e: '3',
      g: '1700000000000',
      i: 'TAGS\u0001TagA\u0002WAIT\u0001true',
      k: 'false',
    });
    expect(req.body!.toString()).toBe('corps du message');
    expect(req.serializeType).toBe(0);
    expect(response.isResponseType).toBe(true);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(response.extFields).toEqual({
      msgId: '7F00000100002A9F0000000000000000',
      queueId: '3',
      queueOffset: '42',
    });
    expect(response.body!.toString()).toBe('réponse');
  });

  it('an unknown code comes back REQUEST_CODE_NOT_SUPPORTED with the remark', async () => {
    const response = await channel.invoke(AliRemotingCommand.createRequestCommand(4242, {}), 3000);
    expect(response.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    expect(response.remark).toBe(' request type 4242 not supported');
    // a response without extFields reads as an empty map on its side
    expect(response.extFields).toEqual({});
  });

  it('its oneway requests arrive, without the oneway flag (ali-ons never sets it)', async () => {
    const before = seen.length;
    await channel.invokeOneway(AliRemotingCommand.createRequestCommand(15, { commitOffset: 9 }));
    for (let i = 0; i < 100 && seen.length === before; i++) await new Promise((r) => setTimeout(r, 10));
    // So a processor for a code ali-ons sends "oneway" (UPDATE_CONSUMER_OFFSET) cannot rely on the
    // flag; an answer it sends anyway is dropped by ali-ons as unmatched.
    expect(seen.at(-1)!.isOneway()).toBe(false);
    expect(seen.at(-1)!.extFields.commitOffset).toBe('9');
  });
});
