import type { Command } from 'commander';
import { registerBrokerCommand } from './broker.js';
import { registerDevCommand } from './dev.js';

/** Each subcommand lives in its own file under src/cli/ and registers itself on the program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerBrokerCommand, registerDevCommand];
