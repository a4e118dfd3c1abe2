import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RemotingCommandError } from './custom-header.js';
import { RemotingSendRequestError, RemotingTimeoutError } from './errors.js';
import type { RequestProcessor } from './remoting-channel.js';
import { RemotingClient } from './remoting-client.js';
import { encodeCommand, FrameDecoder } from './remoting-codec.js';
import { RemotingCommand, type SerializeType } from './remoting-command.js';
import { RemotingServer, type RemotingServerOptions } from './remoting-server.js';
import { ResponseCode } from './response-code.js';
import type { SocketChannel } from './socket-channel.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startServer(opts: Partial<RemotingServerOptions> = {}): Promise<RemotingServer> {
  const server = new RemotingServer({ host: '127.0.0.1', port: 0, ...opts });
  await server.start();
  cleanups.push(() => server.stop());
  return server;
}

function newClient(): RemotingClient {
  const client = new RemotingClient();
  cleanups.push(() => client.shutdown());
  return client;
}

/** A socket speaking raw bytes, collecting decoded frames and noticing when the server closes it. */
interface RawPeer {
  socket: Socket;
  frames: RemotingCommand[];
  closed: Promise<void>;
  waitFrames(n: number): Promise<RemotingCommand[]>;
}

async function rawPeer(port: number): Promise<RawPeer> {
  const socket = connect({ host: '127.0.0.1', port });
  cleanups.push(() => {
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => {});
  const decoder = new FrameDecoder();
  const frames: RemotingCommand[] = [];
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    frames.push(...decoder.push(chunk));
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const waitFrames = async (n: number): Promise<RemotingCommand[]> => {
    const deadline = Date.now() + 5000;
    while (frames.length < n) {
      if (Date.now() > deadline) throw new Error(`got ${frames.length} frames, wanted ${n}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return frames;
  };
  return { socket, frames, closed, waitFrames };
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)),
  ]);
}

describe('RemotingServer', () => {
  it('dispatches to sync and async processors and answers in the request serialize type', async () => {
    const server = await startServer();
    server.registerProcessor(105, (req) =>
      req.createResponse(ResponseCode.SUCCESS, null, { topic: req.extFields.topic }),
    );
    server.registerProcessor(106, async (req) => {
      await new Promise((r) => setTimeout(r, 10));
      return req.createResponse(ResponseCode.SUCCESS, null, {}, Buffer.from('{"clusterAddrTable":{}}'));
    });
    const client = newClient();
    const addr = `127.0.0.1:${server.port}`;
    for (const type of [0, 1] as SerializeType[]) {
      const req = RemotingCommand.request(105, { topic: 'T' });
      req.serializeType = type;
      const resp = await client.invokeSync(addr, req, 3000);
      expect(resp.code).toBe(ResponseCode.SUCCESS);
      expect(resp.opaque).toBe(req.opaque);
      expect(resp.serializeType).toBe(type);
      expect(resp.isResponse()).toBe(true);
      expect(resp.extFields).toEqual({ topic: 'T' });
      const req2 = RemotingCommand.request(106);
      req2.serializeType = type;
      const resp2 = await client.invokeSync(addr, req2, 3000);
      expect(resp2.serializeType).toBe(type);
      expect(resp2.body!.toString()).toBe('{"clusterAddrTable":{}}');
    }
  });

  it('answers an unknown code with REQUEST_CODE_NOT_SUPPORTED and keeps the connection', async () => {
    const server = await startServer();
    const closes: unknown[] = [];
    server.on('close', (ch) => closes.push(ch));
    server.registerProcessor(105, (req) => req.createResponse(ResponseCode.SUCCESS));
    const client = newClient();
    const addr = `127.0.0.1:${server.port}`;
    const resp = await client.invokeSync(addr, RemotingCommand.request(9999), 3000);
    expect(resp.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    expect(resp.remark).toBe(' request type 9999 not supported');
    expect((await client.invokeSync(addr, RemotingCommand.request(105), 3000)).code).toBe(
      ResponseCode.SUCCESS,
    );
    expect(server.connections).toHaveLength(1);
    expect(closes).toHaveLength(0);
  });

  it('a registered default processor replaces the not-supported answer', async () => {
    const server = await startServer();
    server.registerDefaultProcessor((req) => req.createResponse(ResponseCode.SUCCESS, `default ${req.code}`));
    const client = newClient();
    const resp = await client.invokeSync(`127.0.0.1:${server.port}`, RemotingCommand.request(77), 3000);
    expect(resp.remark).toBe('default 77');
  });

  it('a throwing or rejecting processor answers SYSTEM_ERROR with the message, and the server goes on', async () => {
    const server = await startServer();
    server.registerProcessor(1, () => {
      throw new Error('boom sync');
    });
    server.registerProcessor(2, async () => {
      throw new Error('boom async');
    });
    server.registerProcessor(3, (req) => {
      throw new RemotingCommandError(`the custom field <${req.code}> is null`);
    });
    server.registerProcessor(4, () => Promise.reject('not an Error'));
    server.registerProcessor(5, (req) => req.createResponse(0));
    const client = newClient();
    const addr = `127.0.0.1:${server.port}`;
    const call = (code: number) => client.invokeSync(addr, RemotingCommand.request(code), 3000);
    expect(await call(1)).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, remark: 'boom sync' });
    expect(await call(2)).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, remark: 'boom async' });
    expect(await call(3)).toMatchObject({
      code: ResponseCode.SYSTEM_ERROR,
      remark: 'the custom field <3> is null',
    });
    expect(await call(4)).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, remark: 'not an Error' });
    expect((await call(5)).code).toBe(0);
  });

  it('sends nothing for oneway requests, even when the processor returns a response', async () => {
    const server = await startServer();
    const seen: RemotingCommand[] = [];
    server.registerProcessor(15, (req) => {
      seen.push(req);
      return req.createResponse(ResponseCode.SUCCESS, 'should not be sent');
    });
    server.registerProcessor(105, (req) => req.createResponse(ResponseCode.SUCCESS, 'sent'));
    const peer = await rawPeer(server.port);
    const oneway = RemotingCommand.request(15, { commitOffset: 5 }).markOneway();
    const normal = RemotingCommand.request(105);
    peer.socket.write(Buffer.concat([encodeCommand(oneway), encodeCommand(normal)]));
    await peer.waitFrames(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(peer.frames.map((f) => [f.opaque, f.remark])).toEqual([[normal.opaque, 'sent']]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.isOneway()).toBe(true);
  });

  it('an undefined return (plain JS processor) sends nothing and breaks nothing', async () => {
    const server = await startServer();
    server.registerProcessor(12, (() => undefined) as unknown as RequestProcessor);
    server.registerProcessor(105, (req) => req.createResponse(0));
    const client = newClient();
    const addr = `127.0.0.1:${server.port}`;
    await expect(client.invokeSync(addr, RemotingCommand.request(12), 100)).rejects.toBeInstanceOf(
      RemotingTimeoutError,
    );
    expect((await client.invokeSync(addr, RemotingCommand.request(105), 3000)).code).toBe(0);
  });

  it('a null return sends nothing; the processor may answer later through the channel', async () => {
    const server = await startServer();
    server.registerProcessor(11, (req, channel) => {
      setTimeout(() => channel.send(req.createResponse(ResponseCode.SUCCESS, 'later')), 50);
      return null;
    });
    const client = newClient();
    const resp = await client.invokeSync(`127.0.0.1:${server.port}`, RemotingCommand.request(11), 3000);
    expect(resp.remark).toBe('later');
  });

  it('garbage closes only its own connection; other connections keep being served', async () => {
    const server = await startServer();
    server.registerProcessor(105, (req) => req.createResponse(ResponseCode.SUCCESS));
    const client = newClient();
    const addr = `127.0.0.1:${server.port}`;
    expect((await client.invokeSync(addr, RemotingCommand.request(105), 3000)).code).toBe(0);
    const garbage = [
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      Buffer.from([0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0, 0, 0, 8, 0, 0, 0, 100, 1, 2, 3, 4]),
      Buffer.from([0, 0, 0, 6, 7, 0, 0, 2, 0x7b, 0x7d]),
      Buffer.concat([Buffer.from([0, 0, 0, 9, 0, 0, 0, 5]), Buffer.from('{"a":')]),
    ];
    for (const bytes of garbage) {
      const peer = await rawPeer(server.port);
      peer.socket.write(bytes);
      await within(peer.closed, 3000, `server closes after ${bytes.toString('hex')}`);
      expect((await client.invokeSync(addr, RemotingCommand.request(105), 3000)).code).toBe(0);
    }
    // a truncated frame, then the peer goes away
    const peer = await rawPeer(server.port);
    peer.socket.write(encodeCommand(RemotingCommand.request(105)).subarray(0, 20));
    peer.socket.destroy();
    await peer.closed;
    expect((await client.invokeSync(addr, RemotingCommand.request(105), 3000)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.connections).toHaveLength(1);
  });

  it('a frame over maxFrameSize closes that connection only', async () => {
    const server = await startServer({ maxFrameSize: 4096 });
    server.registerProcessor(10, (req) => req.createResponse(ResponseCode.SUCCESS));
    const client = newClient();
    const addr = `127.0.0.1:${server.port}`;
    expect(
      (await client.invokeSync(addr, RemotingCommand.request(10, {}, Buffer.alloc(3000)), 3000)).code,
    ).toBe(0);
    const peer = await rawPeer(server.port);
    peer.socket.write(encodeCommand(RemotingCommand.request(10, {}, Buffer.alloc(5000))));
    await within(peer.closed, 3000, 'server closes the oversized frame');
    expect(peer.frames).toHaveLength(0);
    expect((await client.invokeSync(addr, RemotingCommand.request(10), 3000)).code).toBe(0);
  });

  it('emits connect, idle and close; an idle channel is closed', async () => {
    const server = await startServer({ channelIdleTimeoutMs: 150 });
    const events: string[] = [];
    server.on('connect', (ch) => events.push(`connect ${/^127\.0\.0\.1:\d+$/.test(ch.remoteAddress)}`));
    server.on('idle', () => events.push('idle'));
    server.on('close', () => events.push('close'));
    const peer = await rawPeer(server.port);
    await within(peer.closed, 3000, 'idle channel closed');
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['connect true', 'idle', 'close']);
  });

  it('a listener that throws does not break the server', async () => {
    const server = await startServer();
    server.on('connect', () => {
      throw new Error('listener bug');
    });
    server.registerProcessor(105, (req) => req.createResponse(0));
    const client = newClient();
    expect(
      (await client.invokeSync(`127.0.0.1:${server.port}`, RemotingCommand.request(105), 3000)).code,
    ).toBe(0);
  });

  it('invokes the client from the server side (request, oneway, timeout)', async () => {
    const server = await startServer();
    const channels: SocketChannel[] = [];
    server.on('connect', (ch) => channels.push(ch as SocketChannel));
    server.registerProcessor(34, (req) => req.createResponse(0));
    const client = newClient();
    const onewaySeen: RemotingCommand[] = [];
    client.registerProcessor(39, (req) =>
      req.createResponse(ResponseCode.SUCCESS, `checked ${req.extFields.msgId}`),
    );
    client.registerProcessor(40, (req) => {
      onewaySeen.push(req);
      return req.createResponse(0, 'must not be sent');
    });
    client.registerProcessor(307, () => null);
    await client.invokeSync(`127.0.0.1:${server.port}`, RemotingCommand.request(34), 3000);
    const channel = channels[0]!;
    for (const type of [0, 1] as SerializeType[]) {
      const req = RemotingCommand.request(39, { msgId: 'M1' });
      req.serializeType = type;
      const resp = await channel.invoke(req, 3000);
      expect(resp).toMatchObject({ code: 0, remark: 'checked M1', serializeType: type, opaque: req.opaque });
    }
    const unknown = await channel.invoke(RemotingCommand.request(12345), 3000);
    expect(unknown.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    channel.invokeOneway(RemotingCommand.request(40, { consumerGroup: 'G' }));
    await expect(channel.invoke(RemotingCommand.request(307), 100)).rejects.toBeInstanceOf(
      RemotingTimeoutError,
    );
    expect(onewaySeen).toHaveLength(1);
    expect(onewaySeen[0]!.isOneway()).toBe(true);
    expect(channel.pendingCalls).toBe(0);
  });

  it('coalesces the responses to requests that arrive together into few writes', async () => {
    const server = await startServer();
    let writes = 0;
    let reads = 0;
    server.on('connect', (ch) => {
      const socket = (ch as SocketChannel).socket;
      const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
      socket.write = ((...args: unknown[]) => {
        writes++;
        return write(...args);
      }) as typeof socket.write;
      socket.on('data', () => reads++);
    });
    server.registerProcessor(14, (req) => req.createResponse(0, null, { offset: 1 }));
    server.registerProcessor(15, async (req) => req.createResponse(0));
    const peer = await rawPeer(server.port);
    const requests = Array.from({ length: 100 }, (_, i) => RemotingCommand.request(i % 2 === 0 ? 14 : 15));
    peer.socket.write(Buffer.concat(requests.map(encodeCommand)));
    const frames = await peer.waitFrames(100);
    // sync answers go before async ones, as in RocketMQ; every request gets exactly one answer
    expect(frames.map((f) => f.opaque).sort((a, b) => a - b)).toEqual(requests.map((r) => r.opaque));
    expect(reads).toBeGreaterThan(0);
    expect(writes).toBeLessThanOrEqual(reads);
  });

  it('stop closes every connection and fails calls in flight', async () => {
    const server = await startServer();
    server.registerProcessor(11, () => null);
    const client = newClient();
    const closed: string[] = [];
    client.on('close', (addr) => closed.push(addr));
    const addr = `127.0.0.1:${server.port}`;
    const call = client.invokeSync(addr, RemotingCommand.request(11), 10_000);
    const failed = expect(call).rejects.toBeInstanceOf(RemotingSendRequestError);
    await new Promise((r) => setTimeout(r, 50));
    await server.stop();
    await within(failed, 3000, 'call fails when the server stops');
    await new Promise((r) => setTimeout(r, 20));
    expect(closed).toEqual([addr]);
    expect(server.connections).toHaveLength(0);
  });
});
