import { readFile } from 'node:fs/promises';
import { parseLenientJson, toJson } from '../common/lenient-json.js';
import { componentLogger } from '../common/logger.js';
import { SerialWriter, writeFileWithBackup } from './file-util.js';

const log = componentLogger('namesrv.kv');

/** The KV config file exists but is not a KVConfigSerializeWrapper; the NameServer refuses to start. */
export class KVConfigLoadError extends Error {
  override name = 'KVConfigLoadError';
}

/**
 * Namespaced key/value config (RocketMQ's KVConfigManager), persisted after every change to a JSON file in
 * RocketMQ's kvConfig.json format, `{"configTable":{namespace:{key:value}}}`, so either NameServer can
 * read the other's file.
 */
export class KVConfigManager {
  private readonly configTable = new Map<string, Map<string, string>>();
  private readonly writer = new SerialWriter();
  /** Changed since the last successful write. */
  private dirty = false;

  constructor(private readonly kvConfigPath: string) {}

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.kvConfigPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return;
    }
    let parsed: unknown;
    try {
      parsed = parseLenientJson(text);
    } catch (err) {
      throw new KVConfigLoadError(`${this.kvConfigPath}: not a KV config file: ${(err as Error).message}`);
    }
    const table = (parsed as { configTable?: unknown } | null)?.configTable;
    if (table === undefined || table === null) return;
    if (typeof table !== 'object')
      throw new KVConfigLoadError(`${this.kvConfigPath}: configTable is not an object`);
    for (const [ns, kv] of Object.entries(table as Record<string, unknown>)) {
      if (kv === null || typeof kv !== 'object') continue;
      const m = new Map<string, string>();
      for (const [k, v] of Object.entries(kv as Record<string, unknown>)) {
        if (v !== null && v !== undefined) m.set(k, String(v));
      }
      this.configTable.set(ns, m);
    }
    log.info({ path: this.kvConfigPath, namespaces: this.configTable.size }, 'load KV config table OK');
  }

  /** Resolves once the change is on disk. */
  putKVConfig(namespace: string, key: string, value: string): Promise<void> {
    let kvTable = this.configTable.get(namespace);
    if (!kvTable) {
      kvTable = new Map();
      this.configTable.set(namespace, kvTable);
    }
    kvTable.set(key, value);
    this.dirty = true;
    log.info({ namespace, key, value }, 'putKVConfig');
    return this.persist();
  }

  /** As 4.9.8, an emptied namespace stays (GET_KVLIST_BY_NAMESPACE then answers an empty table). */
  deleteKVConfig(namespace: string, key: string): Promise<void> {
    const removed = this.configTable.get(namespace)?.delete(key);
    if (removed) log.info({ namespace, key }, 'deleteKVConfig');
    this.dirty = true;
    return this.persist();
  }

  getKVConfig(namespace: string, key: string): string | undefined {
    return this.configTable.get(namespace)?.get(key);
  }

  /** The namespace as a KVTable body, `{"table":{key:value}}`, or undefined when the namespace is unknown. */
  getKVListByNamespace(namespace: string): Buffer | undefined {
    const kvTable = this.configTable.get(namespace);
    return kvTable ? Buffer.from(toJson({ table: kvTable })) : undefined;
  }

  /** Writes the whole table; writes are serialised so the file always ends with the latest state. */
  persist(): Promise<void> {
    const content = toJson({ configTable: this.configTable });
    this.dirty = false;
    return this.writer.run(async () => {
      try {
        await writeFileWithBackup(this.kvConfigPath, content);
      } catch (err) {
        this.dirty = true;
        log.error({ err, path: this.kvConfigPath }, 'persist kvconfig failed');
        throw err;
      }
    });
  }

  /** For shutdown: waits for queued writes, and writes again if the last one failed. */
  async flush(): Promise<void> {
    await this.writer.idle();
    if (this.dirty) await this.persist();
  }
}
