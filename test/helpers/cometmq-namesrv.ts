/**
 * A real `cometmq namesrv` child process for tests: `-p 0` on 127.0.0.1, its port read from the
 * "NameServer listening on HOST:PORT" line, its KV config and config store in a temp folder (never
 * ~/namesrv), stopped by PID. restart() keeps the folder, so KV config survives it.
 * Run `npm run build` first: this starts dist/src/cli/main.js.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerProcess, startServerProcess } from './child-process.js';
import { COMETMQ_MAIN } from './cometmq-processes.js';

export interface CometNamesrv {
  /** "127.0.0.1:port" */
  readonly addr: string;
  readonly port: number;
  /** Temp folder holding kvConfig.json and namesrv.properties. */
  readonly dataDir: string;
  readonly kvConfigPath: string;
  readonly process: ServerProcess;
  /** SIGTERM and wait (graceful stop); resolves to the exit code. */
  stop(): Promise<number | null>;
  /** Stops (gracefully) and starts again with the same folder and arguments, on a new port. */
  restart(): Promise<CometNamesrv>;
  /** Kills by PID and removes dataDir (unless the caller passed its own). */
  shutdown(): Promise<void>;
}

export interface CometNamesrvOptions {
  /** More arguments: `--key=value` config keys, `-c file`. */
  args?: string[];
  /** Reuse a folder (it is then not removed by shutdown()). */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
}

export async function startCometNamesrv(o: CometNamesrvOptions = {}): Promise<CometNamesrv> {
  const ownDir = o.dataDir === undefined;
  const dataDir = o.dataDir ?? (await mkdtemp(join(tmpdir(), 'cometmq-namesrv-')));
  const kvConfigPath = join(dataDir, 'kvConfig.json');
  const args = [
    COMETMQ_MAIN,
    'namesrv',
    '-p',
    '0',
    '--bindAddress=127.0.0.1',
    `--kvConfigPath=${kvConfigPath}`,
    `--configStorePath=${join(dataDir, 'namesrv.properties')}`,
    ...(o.args ?? []),
  ];
  let p: ServerProcess;
  try {
    p = await startServerProcess(process.execPath, args, {
      env: { ...process.env, COMETMQ_LOG_LEVEL: process.env.COMETMQ_TEST_LOG_LEVEL ?? 'warn', ...o.env },
      ready: /NameServer listening on \S+:(\d+)[\s\S]*boot success/,
      what: 'cometmq namesrv',
    });
  } catch (err) {
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const port = Number(p.readyMatch);
  const self: CometNamesrv = {
    addr: `127.0.0.1:${port}`,
    port,
    dataDir,
    kvConfigPath,
    process: p,
    stop: () => p.stop(),
    async restart() {
      await p.stop();
      const again = await startCometNamesrv({ ...o, dataDir });
      // the restarted one owns the folder when this one did
      return ownDir
        ? {
            ...again,
            async shutdown() {
              await again.shutdown();
              await rm(dataDir, { recursive: true, force: true });
            },
          }
        : again;
    },
    async shutdown() {
      await p.kill();
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return self;
}
