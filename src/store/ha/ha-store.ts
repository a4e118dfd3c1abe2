import type { MessageStoreConfig } from '../message-store-config.js';

/** What the HA master needs of its store (DefaultMessageStore implements it). */
export interface HAMasterStore {
  readonly config: MessageStoreConfig;
  getMaxPhyOffset(): number;
  /** Raw CommitLog bytes from `offset`, within one file; null when none are written there yet. */
  readRawCommitLog(offset: number, maxBytes: number): Promise<Buffer | null>;
  /** Called per dispatched message: new bytes to ship. */
  addDispatchListener(fn: () => void): void;
}

/** What the HA slave needs of its store. */
export interface HASlaveStore {
  readonly config: MessageStoreConfig;
  getMaxPhyOffset(): number;
  /** Appends replicated bytes at `startOffset` (the local end); false when it is not the local end. */
  appendRawCommitLog(startOffset: number, data: Buffer): Promise<boolean>;
}

/** Size of the master's transfer header: start offset int64 + size int32 (HAConnection.WriteSocketService). */
export const TRANSFER_HEADER_SIZE = 12;
/** Size of the slave's report: its CommitLog max offset int64. */
export const REPORT_SIZE = 8;

/** "host:port" into its parts; undefined when malformed. */
export function parseHostPort(addr: string): { host: string; port: number } | undefined {
  const i = addr.lastIndexOf(':');
  if (i <= 0) return undefined;
  const port = Number(addr.slice(i + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  return { host: addr.slice(0, i), port };
}
