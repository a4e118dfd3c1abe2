/**
 * Free TCP ports on 127.0.0.1 for servers that cannot be told "port 0" (the reference RocketMQ prints
 * no port). There is a short race between probing and the server binding; tests retry a start instead.
 */
import { createServer } from 'node:net';

/** Whether `port` can be bound on 127.0.0.1 right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A port the OS just handed out as ephemeral (and that we released again). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address();
  const port = typeof a === 'object' && a !== null ? a.port : 0;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * A port p for a RocketMQ broker's listenPort: p, p-2 (its VIP channel) and p+1 (its HA port) are all free.
 */
export async function freeBrokerPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const p = await freePort();
    if (p < 1100 || p > 65000) continue;
    if ((await isPortFree(p - 2)) && (await isPortFree(p + 1))) return p;
  }
  throw new Error('no free broker port triple (p-2, p, p+1) found in 50 attempts');
}
