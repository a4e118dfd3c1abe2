import type { Command } from 'commander';
import { applyConfig, ConfigError } from '../common/config.js';
import { componentLogger } from '../common/logger.js';
import { entryLocation, type PropertyEntry, readPropertiesFile } from '../common/properties-file.js';
import { defaultNamesrvConfig, type NamesrvConfig } from '../namesrv/namesrv-config.js';
import { NamesrvController } from '../namesrv/namesrv-controller.js';
import { extractKeyValueArgs } from './key-value-args.js';

const log = componentLogger('namesrv');

/** How long a graceful stop may take before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

interface NamesrvOptions {
  configFile?: string;
  listenPort?: string;
}

/**
 * Builds the NameServer config as RocketMQ's NamesrvStartup does: defaults, then the `-c` file (which
 * also becomes configStorePath), then `--key=value` arguments, then `-p`. Unknown keys are reported to
 * `warn`; a bad value throws a ConfigError naming its source and line.
 */
export async function loadNamesrvConfig(
  opts: NamesrvOptions,
  args: string[],
  warn: (message: string) => void,
): Promise<NamesrvConfig> {
  const { entries: argEntries, rest } = extractKeyValueArgs(args);
  if (rest.length > 0) throw new ConfigError(`unexpected argument(s): ${rest.join(' ')}`);
  const entries: PropertyEntry[] = [];
  if (opts.configFile !== undefined) {
    entries.push(...(await readPropertiesFile(opts.configFile)));
    entries.push({ key: 'configStorePath', value: opts.configFile, line: 0, source: 'the -c option' });
  }
  entries.push(...argEntries);
  if (opts.listenPort !== undefined) {
    entries.push({ key: 'listenPort', value: opts.listenPort, line: 0, source: '-p/--listenPort' });
  }
  const config = applyConfig(defaultNamesrvConfig(), entries, {
    onUnknown: (e) => warn(`${entryLocation(e)}: unknown key "${e.key}" ignored`),
  });
  if (config.listenPort < 0 || config.listenPort > 65535) {
    throw new ConfigError(`listenPort ${config.listenPort} is not a port (0-65535)`);
  }
  return config;
}

export function registerNamesrvCommand(program: Command): void {
  program
    .command('namesrv')
    .description('start a NameServer (any NameServer config key may be given as --key=value)')
    .option('-c, --configFile <file>', 'properties config file, e.g. namesrv.conf')
    .option('-p, --listenPort <port>', 'port to listen on, 0 for any free one (default 9876)')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(async (opts: NamesrvOptions, cmd: Command) => {
      const config = await loadNamesrvConfig(opts, cmd.args, (m) =>
        process.stderr.write(`cometmq namesrv: warning: ${m}\n`),
      );
      const controller = new NamesrvController(config);
      // Before the ready line: whoever reads it may signal us at once.
      installShutdown(controller);
      await controller.start();
      // Test helpers and scripts read the chosen port from the first line and wait for the second
      // (RocketMQ's NamesrvStartup prints the same boot line); keep both shapes.
      process.stdout.write(
        `NameServer listening on ${config.bindAddress}:${controller.port}\n` +
          'The Name Server boot success. serializeType=JSON\n',
      );
    });
}

function installShutdown(controller: NamesrvController): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      process.stderr.write('cometmq namesrv: shutdown took too long, exiting\n');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    controller.shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`cometmq namesrv: shutdown failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
