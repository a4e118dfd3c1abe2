/**
 * What to print when a test against the reference broker fails in a way that looks like the broker
 * went away (a closed socket, then ECONNREFUSED): whether its port still accepts connections, whether
 * its JVM is still running, and the tail of its own logs. The reference logs under
 * `${user.home}/logs/rocketmqlogs` (conf/logback_broker.xml) and bin/rmq sets user.home to RMQ_DATA,
 * the data folder the helpers give each cluster. A graceful stop (SIGTERM/SIGINT/SIGHUP) shows as
 * "Shutdown hook was invoked" in broker.log, a JVM crash as an hs_err_pid file in its cwd (the test's),
 * a SIGKILL as neither.
 */
import { readdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';

/** The logs worth reading, most telling first. */
const LOGS = ['broker.log', 'broker_default.log', 'store.log', 'namesrv.log', 'remoting.log'];

function probe(addr: string, timeoutMs: number): Promise<string> {
  const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (what: string): void => {
      clearTimeout(t);
      s.destroy();
      resolve(what);
    };
    const t = setTimeout(() => done(`no answer in ${timeoutMs} ms`), timeoutMs);
    s.once('connect', () => done('accepts connections'));
    s.once('error', (e: NodeJS.ErrnoException) => done(`refuses connections (${e.code ?? e.message})`));
  });
}

/** JVMs whose command line names `dataDir` (user.home of the reference's processes), by pid. */
async function jvmsOf(dataDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc').catch(() => [] as string[])).filter((n) => /^\d+$/.test(n))) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmd.includes(dataDir)) continue;
    const main = cmd.split('\0').find((a) => /^org\.apache\.rocketmq\./.test(a));
    if (main) found.push(`${pid} ${main}`);
  }
  return found;
}

async function logFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'otherdays') out.push(...(await logFiles(p)));
    else if (e.isFile() && e.name.endsWith('.log')) out.push(p);
  }
  return out;
}

function rank(path: string): number {
  const i = LOGS.findIndex((n) => path.endsWith(`/${n}`));
  return i < 0 ? LOGS.length : i;
}

/**
 * A report on the reference broker of a cluster whose data folder is `dataDir`: its port, its JVMs,
 * hs_err files in `cwd`, and the last `lines` lines of each of its logs.
 */
export async function diagnoseReferenceBroker(o: {
  dataDir: string;
  brokerAddr: string;
  lines?: number;
  cwd?: string;
}): Promise<string> {
  const lines = o.lines ?? 40;
  const cwd = o.cwd ?? process.cwd();
  const out: string[] = [`== reference broker ${o.brokerAddr} (data ${o.dataDir})`];
  out.push(`port: ${await probe(o.brokerAddr, 2_000)}`);
  const jvms = await jvmsOf(o.dataDir);
  out.push(`JVMs with this data folder: ${jvms.length > 0 ? jvms.join('; ') : 'none running'}`);
  const crashes = (await readdir(cwd).catch(() => [] as string[])).filter((n) => n.startsWith('hs_err_pid'));
  out.push(`hs_err files in ${cwd}: ${crashes.length > 0 ? crashes.join(', ') : 'none'}`);
  const files = (await logFiles(join(o.dataDir, 'logs'))).sort((a, b) => rank(a) - rank(b));
  if (files.length === 0) out.push(`no logs under ${join(o.dataDir, 'logs')}`);
  for (const f of files) {
    const text = await readFile(f, 'utf8').catch((e: Error) => `(unreadable: ${e.message})`);
    if (text.trim() === '') continue;
    const all = text.trimEnd().split('\n');
    out.push(`-- ${f} (last ${Math.min(lines, all.length)} of ${all.length} lines)`, ...all.slice(-lines));
    // why a channel was closed (remoting.log: exceptionCaught, decode exception, IDLE) can be further up
    const older = all.slice(0, -lines).filter((l) => / (WARN|ERROR) /.test(l));
    if (older.length > 0) out.push(`-- ${f}: WARN/ERROR lines before those`, ...older.slice(-lines));
  }
  return out.join('\n');
}
