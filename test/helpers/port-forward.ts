/**
 * A TCP forwarder on a fixed 127.0.0.1 port, for programs that hard-code an address: several of
 * RocketMQ's example programs call setNamesrvAddr("127.0.0.1:9876") (or "localhost:9876"), which beats
 * NAMESRV_ADDR. The forwarder points 127.0.0.1:9876 at the NameServer under test; the target can be
 * switched between cases. 9876 lies below the ephemeral port range, so only a stray local NameServer
 * can hold it, and then the caller skips (PortBusyError).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { parseAddress } from '../../src/remoting/remoting-client.js';

export class PortBusyError extends Error {
  constructor(readonly port: number) {
    super(`127.0.0.1:${port} is in use`);
    this.name = 'PortBusyError';
  }
}

export interface PortForward {
  readonly port: number;
  /** New connections go to `addr` ("host:port"); open ones keep their old target. */
  setTarget(addr: string): void;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

export async function forwardPort(port: number, targetAddr: string): Promise<PortForward> {
  let target = parseAddress(targetAddr);
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect(target.port, target.host);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortBusyError(port) : err),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port,
    setTarget(addr) {
      target = parseAddress(addr);
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
