import { afterEach, describe, expect, it } from 'vitest';
import {
  RemotingConnectError,
  RemotingError,
  RemotingSendRequestError,
  RemotingTimeoutError,
} from './errors.js';
import { RemotingClient } from './remoting-client.js';
import { RemotingCommand } from './remoting-command.js';
import { RemotingServer } from './remoting-server.js';
import { ResponseCode } from './response-code.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startServer(port = 0): Promise<RemotingServer> {
  const server = new RemotingServer({ host: '127.0.0.1', port });
  server.registerProcessor(105, (req) =>
    req.createResponse(ResponseCode.SUCCESS, null, { topic: req.extFields.topic }),
  );
  await server.start();
  cleanups.push(() => server.stop());
  return server;
}

function newClient(opts?: ConstructorParameters<typeof RemotingClient>[0]): RemotingClient {
  const client = new RemotingClient(opts);
  cleanups.push(() => client.shutdown());
  return client;
}

/** A port nothing listens on: bound by a server that is then stopped. */
async function freePort(): Promise<number> {
  const s = new RemotingServer({ host: '127.0.0.1', port: 0 });
  await s.start();
  const port = s.port;
  await s.stop();
  return port;
}

describe('RemotingClient', () => {
  it('times out, drops the late response quietly and keeps the connection usable', async () => {
    const server = await startServer();
    let answered = 0;
    server.registerProcessor(11, (req, channel) => {
      setTimeout(() => {
        channel.send(req.createResponse(ResponseCode.SUCCESS, 'late'));
        answered++;
      }, 200);
      return null;
    });
    const client = newClient();
    const addr = `127.0.0.1:${server.port}`;
    const started = Date.now();
    const err = await client.invokeSync(addr, RemotingCommand.request(11), 80).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemotingTimeoutError);
    expect((err as RemotingTimeoutError).timeoutMs).toBe(80);
    expect((err as RemotingTimeoutError).addr).toBe(addr);
    expect((err as RemotingTimeoutError).name).toBe('RemotingTimeoutError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    await new Promise((r) => setTimeout(r, 250));
    expect(answered).toBe(1);
    const resp = await client.invokeSync(addr, RemotingCommand.request(105, { topic: 'T' }), 3000);
    expect(resp.extFields.topic).toBe('T');
  });

  it('fails with RemotingConnectError when nothing listens, and for a bad address', async () => {
    const port = await freePort();
    const client = newClient();
    await expect(
      client.invokeSync(`127.0.0.1:${port}`, RemotingCommand.request(105), 3000),
    ).rejects.toBeInstanceOf(RemotingConnectError);
    await expect(client.invokeSync('nonsense', RemotingCommand.request(105), 3000)).rejects.toBeInstanceOf(
      RemotingConnectError,
    );
    await expect(
      client.invokeOneway(`127.0.0.1:${port}`, RemotingCommand.request(105)),
    ).rejects.toBeInstanceOf(RemotingConnectError);
  });

  it('shares one connection per address, also between concurrent first callers', async () => {
    const server = await startServer();
    let connects = 0;
    server.on('connect', () => connects++);
    const client = newClient();
    const addr = `127.0.0.1:${server.port}`;
    const calls = Array.from({ length: 20 }, (_, i) =>
      client.invokeAsync(addr, RemotingCommand.request(105, { topic: `T${i}` }), 3000),
    );
    const responses = await Promise.all(calls);
    expect(responses.map((r) => r.extFields.topic)).toEqual(calls.map((_, i) => `T${i}`));
    await client.invokeSync(addr, RemotingCommand.request(105), 3000);
    expect(connects).toBe(1);
  });

  it('fails pending calls at once when the connection closes, then reconnects on the next call', async () => {
    const server = await startServer();
    server.registerProcessor(11, (_req, channel) => {
      setTimeout(() => channel.close(), 30);
      return null;
    });
    const client = newClient();
    const closed: string[] = [];
    client.on('close', (a) => closed.push(a));
    const addr = `127.0.0.1:${server.port}`;
    const started = Date.now();
    await expect(client.invokeSync(addr, RemotingCommand.request(11), 10_000)).rejects.toBeInstanceOf(
      RemotingSendRequestError,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(closed).toEqual([addr]);
    expect((await client.invokeSync(addr, RemotingCommand.request(105), 3000)).code).toBe(0);
  });

  it('reconnects after the server restarts on the same port', async () => {
    const server = await startServer();
    const port = server.port;
    const client = newClient();
    const addr = `127.0.0.1:${port}`;
    expect((await client.invokeSync(addr, RemotingCommand.request(105), 3000)).code).toBe(0);
    await server.stop();
    // refused, or a send error if the client has not yet seen its connection close
    await expect(client.invokeSync(addr, RemotingCommand.request(105), 3000)).rejects.toBeInstanceOf(
      RemotingError,
    );
    const restarted = await startServer(port);
    expect(restarted.port).toBe(port);
    expect(
      (await client.invokeSync(addr, RemotingCommand.request(105, { topic: 'again' }), 3000)).extFields.topic,
    ).toBe('again');
  });

  it('invokeOneway marks the request oneway and resolves once written', async () => {
    const server = await startServer();
    const seen: RemotingCommand[] = [];
    server.registerProcessor(15, (req) => {
      seen.push(req);
      return req.createResponse(0);
    });
    const client = newClient();
    const addr = `127.0.0.1:${server.port}`;
    await client.invokeOneway(addr, RemotingCommand.request(15, { commitOffset: 7 }));
    // a normal call behind it proves the oneway arrived first and got no answer
    await client.invokeSync(addr, RemotingCommand.request(105), 3000);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.isOneway()).toBe(true);
    expect(seen[0]!.extFields.commitOffset).toBe('7');
  });

  it('answers requests from the server with its processors; unknown codes get REQUEST_CODE_NOT_SUPPORTED', async () => {
    const server = await startServer();
    const results: RemotingCommand[] = [];
    server.registerProcessor(34, async (req, channel) => {
      results.push(await channel.invoke(RemotingCommand.request(221, { group: 'G' }), 3000));
      results.push(await channel.invoke(RemotingCommand.request(9876), 3000));
      return req.createResponse(0);
    });
    const client = newClient();
    client.registerProcessor(221, async (req) => req.createResponse(0, `status of ${req.extFields.group}`));
    await client.invokeSync(`127.0.0.1:${server.port}`, RemotingCommand.request(34), 3000);
    expect(results.map((r) => [r.code, r.remark])).toEqual([
      [0, 'status of G'],
      [ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ' request type 9876 not supported'],
    ]);
  });

  it('closeChannel fails pending calls; the next call opens a new connection', async () => {
    const server = await startServer();
    server.registerProcessor(11, () => null);
    let connects = 0;
    server.on('connect', () => connects++);
    const client = newClient();
    const addr = `127.0.0.1:${server.port}`;
    const pending = client.invokeSync(addr, RemotingCommand.request(11), 10_000);
    const failed = expect(pending).rejects.toBeInstanceOf(RemotingSendRequestError);
    await new Promise((r) => setTimeout(r, 30));
    client.closeChannel(addr);
    await failed;
    expect((await client.invokeSync(addr, RemotingCommand.request(105), 3000)).code).toBe(0);
    expect(connects).toBe(2);
  });

  it('shutdown fails calls in flight and refuses new ones', async () => {
    const server = await startServer();
    server.registerProcessor(11, () => null);
    const client = new RemotingClient();
    const addr = `127.0.0.1:${server.port}`;
    const pending = client.invokeSync(addr, RemotingCommand.request(11), 10_000);
    const failed = expect(pending).rejects.toBeInstanceOf(RemotingSendRequestError);
    await new Promise((r) => setTimeout(r, 30));
    await client.shutdown();
    await failed;
    await expect(client.invokeSync(addr, RemotingCommand.request(105), 3000)).rejects.toBeInstanceOf(
      RemotingConnectError,
    );
    await new Promise((r) => setTimeout(r, 30));
    expect(server.connections).toHaveLength(0);
  });

  it('closes an idle connection and opens a new one when needed', async () => {
    const server = await startServer();
    let connects = 0;
    server.on('connect', () => connects++);
    const client = newClient({ channelIdleTimeoutMs: 100 });
    const addr = `127.0.0.1:${server.port}`;
    await client.invokeSync(addr, RemotingCommand.request(105), 3000);
    await new Promise((r) => setTimeout(r, 300));
    await client.invokeSync(addr, RemotingCommand.request(105), 3000);
    expect(connects).toBe(2);
  });
});
