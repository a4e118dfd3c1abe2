import type { RequestProcessor } from '../../remoting/remoting-channel.js';
import type { KVConfigManager } from '../kv-config-manager.js';
import type { NamesrvConfig } from '../namesrv-config.js';
import type { RouteInfoManager } from '../route-info-manager.js';

/** What the NameServer's request processors share; the controller builds it. */
export interface NamesrvContext {
  /** The live config: UPDATE_NAMESRV_CONFIG changes it in place. */
  readonly config: NamesrvConfig;
  readonly routeInfoManager: RouteInfoManager;
  readonly kvConfigManager: KVConfigManager;
}

/** Request code -> processor, one table per request family. */
export type ProcessorTable = ReadonlyArray<readonly [code: number, processor: RequestProcessor]>;
