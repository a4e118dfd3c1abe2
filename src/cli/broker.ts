import type { Command } from 'commander';
import { BrokerController } from '../broker/broker-controller.js';
import { type BrokerStartupConfig, buildBrokerStartupConfig } from '../broker/broker-startup-config.js';
import { ConfigError } from '../common/config.js';
import { componentLogger } from '../common/logger.js';
import { entryLocation, type PropertyEntry, readPropertiesFile } from '../common/properties-file.js';
import { extractKeyValueArgs } from './key-value-args.js';
import { warnMissingNodeFlags } from './node-flags.js';

const log = componentLogger('broker');

/** How long a graceful stop may take before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 15_000;

interface BrokerOptions {
  configFile?: string;
  namesrvAddr?: string;
}

/**
 * The broker's config as RocketMQ's BrokerStartup builds it: defaults (namesrvAddr from NAMESRV_ADDR),
 * then the `-c` file, then `--key=value` arguments, then `-n`. Unknown keys are reported to `warn`; a
 * bad value throws ConfigError naming the key and where it came from.
 */
export async function loadBrokerConfig(
  opts: BrokerOptions,
  args: string[],
  warn: (message: string) => void,
): Promise<BrokerStartupConfig> {
  const { entries: argEntries, rest } = extractKeyValueArgs(args);
  if (rest.length > 0) throw new ConfigError(`unexpected argument(s): ${rest.join(' ')}`);
  const entries: PropertyEntry[] = [];
  if (opts.configFile !== undefined) entries.push(...(await readPropertiesFile(opts.configFile)));
  entries.push(...argEntries);
  if (opts.namesrvAddr !== undefined)
    entries.push({ key: 'namesrvAddr', value: opts.namesrvAddr, line: 0, source: 'the -n option' });
  return buildBrokerStartupConfig(entries, (e) =>
    warn(`${entryLocation(e)}: unknown key "${e.key}" ignored`),
  );
}

export function registerBrokerCommand(program: Command): void {
  program
    .command('broker')
    .description('start a broker (any broker.conf key may be given as --key=value)')
    .option('-c, --configFile <file>', 'properties config file, e.g. broker.conf')
    .option(
      '-n, --namesrvAddr <addrs>',
      'NameServer addresses, "host:port;host:port" (default: $NAMESRV_ADDR)',
    )
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(async (opts: BrokerOptions, cmd: Command) => {
      const { brokerConfig, storeConfig } = await loadBrokerConfig(opts, cmd.args, (m) =>
        process.stderr.write(`cometmq broker: warning: ${m}\n`),
      );
      warnMissingNodeFlags();
      const controller = new BrokerController(brokerConfig, storeConfig);
      installShutdown(controller);
      await controller.start();
      // Test helpers and scripts read the address from these lines; keep their shape.
      process.stdout.write(`Broker listening on ${controller.brokerAddr}\n`);
      process.stdout.write(
        `The broker[${brokerConfig.brokerName}, ${controller.brokerAddr}] boot success. serializeType=JSON and name server is ${brokerConfig.namesrvAddr}\n`,
      );
    });
}

function installShutdown(controller: BrokerController): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      process.stderr.write('cometmq broker: shutdown took too long, exiting\n');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    controller.shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`cometmq broker: shutdown failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
