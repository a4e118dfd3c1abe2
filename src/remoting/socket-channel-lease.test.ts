import { afterEach, describe, expect, it } from 'vitest';
import type { RemotingChannel } from './remoting-channel.js';
import { RemotingClient } from './remoting-client.js';
import { RemotingCommand } from './remoting-command.js';
import { RemotingServer } from './remoting-server.js';
import { ResponseCode } from './response-code.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ server: RemotingServer; client: RemotingClient; addr: string }> {
  const server = new RemotingServer({ host: '127.0.0.1', port: 0 });
  await server.start();
  cleanups.push(() => server.stop());
  const client = new RemotingClient();
  cleanups.push(() => client.shutdown());
  return { server, client, addr: `127.0.0.1:${server.port}` };
}

/**
 * A lease that, like a reused slab, overwrites the body when released: a body released before the
 * socket had it would reach the peer as 0xee bytes.
 */
function poisoningLease(body: Buffer, log: string[]): { release(): void } {
  return {
    release() {
      log.push('released');
      body.fill(0xee);
    },
  };
}

describe('SocketChannel body leases', () => {
  it('releases a big body only after its write, and the peer gets its bytes intact', async () => {
    const { server, client, addr } = await setup();
    const log: string[] = [];
    const sizes = [8 * 1024, 64 * 1024, 4 * 1024 * 1024];
    server.registerProcessor(300, (req) => {
      const size = Number(req.extFields.size);
      const body = Buffer.alloc(size, 0x41);
      const resp = req.createResponse(ResponseCode.SUCCESS, null, {}, body);
      resp.bodyLease = poisoningLease(body, log);
      return resp;
    });
    for (const size of sizes) {
      const resp = await client.invokeSync(addr, RemotingCommand.request(300, { size }), 5000);
      expect(resp.body!.length).toBe(size);
      expect(resp.body!.every((b) => b === 0x41)).toBe(true);
    }
    // each released exactly once
    await new Promise((r) => setTimeout(r, 20));
    expect(log).toEqual(['released', 'released', 'released']);
  });

  it('releases a small body as soon as it is copied into its frame', async () => {
    const { server, client, addr } = await setup();
    const log: string[] = [];
    server.registerProcessor(301, (req, channel: RemotingChannel) => {
      const body = Buffer.from('small body');
      const resp = req.createResponse(ResponseCode.SUCCESS, null, {}, body);
      resp.opaque = req.opaque;
      resp.bodyLease = poisoningLease(body, log);
      channel.send(resp);
      // copied at send: released before this turn ends, and the peer still gets the text
      log.push(`after send: ${log.length}`);
      return null;
    });
    const resp = await client.invokeSync(addr, RemotingCommand.request(301), 5000);
    expect(resp.body!.toString()).toBe('small body');
    expect(log).toEqual(['released', 'after send: 1']);
  });

  it('releases the body of a response that a closed channel drops', async () => {
    const { server, client, addr } = await setup();
    const released: boolean[] = [];
    let channelOf: RemotingChannel | undefined;
    server.registerProcessor(302, (_req, channel: RemotingChannel) => {
      channelOf = channel;
      return null;
    });
    client.invokeOneway(addr, RemotingCommand.request(302)).catch(() => {});
    const deadline = Date.now() + 5000;
    while (channelOf === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(channelOf).toBeDefined();
    channelOf!.close();
    const resp = RemotingCommand.request(303);
    resp.body = Buffer.alloc(64 * 1024);
    resp.bodyLease = { release: () => released.push(true) };
    channelOf!.send(resp);
    expect(released).toEqual([true]);
    expect(resp.bodyLease).toBeNull();
  });
});
