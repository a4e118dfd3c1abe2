import { componentLogger } from '../common/logger.js';
import { crc32Masked } from '../common/message-decoder.js';
import { encodeRegisterBrokerBody } from '../remoting/protocol/route/register-broker-body.js';
import type { DataVersion, TopicConfig } from '../remoting/protocol/route/route-data.js';
import { RemotingClient } from '../remoting/remoting-client.js';
import { RemotingCommand } from '../remoting/remoting-command.js';
import { RequestCode } from '../remoting/request-code.js';
import { ResponseCode } from '../remoting/response-code.js';

const log = componentLogger('broker-outer-api');

export interface RegisterBrokerRequest {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
  haServerAddr: string;
  topicConfigTable: Map<string, TopicConfig>;
  dataVersion: DataVersion;
  compressed: boolean;
  timeoutMs: number;
}

/** A NameServer's answer to REGISTER_BROKER: where a slave finds its master (issue 6 reads these). */
export interface RegisterBrokerResult {
  namesrvAddr: string;
  haServerAddr?: string;
  masterAddr?: string;
}

/** BrokerOuterAPI: the broker's requests to NameServers (registration). */
export class BrokerOuterAPI {
  private readonly client = new RemotingClient({ connectTimeoutMs: 3000 });

  /** REGISTER_BROKER to every NameServer in parallel; failures are logged and left out of the result. */
  async registerBrokerAll(
    namesrvAddrs: string[],
    req: RegisterBrokerRequest,
  ): Promise<RegisterBrokerResult[]> {
    const body = await encodeRegisterBrokerBody(
      {
        topicConfigSerializeWrapper: { topicConfigTable: req.topicConfigTable, dataVersion: req.dataVersion },
        filterServerList: [],
      },
      req.compressed,
    );
    const ext = {
      brokerAddr: req.brokerAddr,
      brokerId: req.brokerId,
      brokerName: req.brokerName,
      clusterName: req.clusterName,
      haServerAddr: req.haServerAddr,
      compressed: req.compressed,
      bodyCrc32: crc32Masked(body),
    };
    const results = await Promise.all(
      namesrvAddrs.map(async (addr): Promise<RegisterBrokerResult | undefined> => {
        try {
          const resp = await this.client.invokeSync(
            addr,
            RemotingCommand.request(RequestCode.REGISTER_BROKER, ext, body),
            req.timeoutMs,
          );
          if (resp.code !== ResponseCode.SUCCESS) {
            log.warn(
              { namesrv: addr, code: resp.code, remark: resp.remark },
              'register broker to name server failed',
            );
            return undefined;
          }
          return {
            namesrvAddr: addr,
            haServerAddr: resp.extFields.haServerAddr,
            masterAddr: resp.extFields.masterAddr,
          };
        } catch (err) {
          log.warn({ namesrv: addr, err: (err as Error).message }, 'register broker to name server failed');
          return undefined;
        }
      }),
    );
    return results.filter((r): r is RegisterBrokerResult => r !== undefined);
  }

  /** UNREGISTER_BROKER to every NameServer; best effort. */
  async unregisterBrokerAll(
    namesrvAddrs: string[],
    clusterName: string,
    brokerAddr: string,
    brokerName: string,
    brokerId: number,
    timeoutMs = 3000,
  ): Promise<void> {
    await Promise.all(
      namesrvAddrs.map(async (addr) => {
        try {
          const req = RemotingCommand.request(RequestCode.UNREGISTER_BROKER, {
            brokerName,
            brokerAddr,
            clusterName,
            brokerId,
          });
          await this.client.invokeSync(addr, req, timeoutMs);
        } catch (err) {
          log.warn(
            { namesrv: addr, err: (err as Error).message },
            'unregister broker from name server failed',
          );
        }
      }),
    );
  }

  async shutdown(): Promise<void> {
    await this.client.shutdown();
  }
}
