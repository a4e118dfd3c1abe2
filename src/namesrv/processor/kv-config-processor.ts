import { requireString } from '../../remoting/custom-header.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { ResponseCode } from '../../remoting/response-code.js';
import type { NamesrvContext, ProcessorTable } from './namesrv-context.js';

/** PUT_KV_CONFIG, GET_KV_CONFIG, DELETE_KV_CONFIG, GET_KVLIST_BY_NAMESPACE (DefaultRequestProcessor of 4.9.8). */
export function kvConfigProcessors({ kvConfigManager }: NamesrvContext): ProcessorTable {
  return [
    [
      RequestCode.PUT_KV_CONFIG,
      async (req: RemotingCommand) => {
        const namespace = requireString(req.extFields, 'namespace');
        const key = requireString(req.extFields, 'key');
        const value = requireString(req.extFields, 'value');
        // Answered once the change is on disk, as 4.9.8 persists before it replies.
        await kvConfigManager.putKVConfig(namespace, key, value);
        return req.createResponse(ResponseCode.SUCCESS);
      },
    ],
    [
      RequestCode.GET_KV_CONFIG,
      (req: RemotingCommand) => {
        const namespace = requireString(req.extFields, 'namespace');
        const key = requireString(req.extFields, 'key');
        const value = kvConfigManager.getKVConfig(namespace, key);
        if (value !== undefined) return req.createResponse(ResponseCode.SUCCESS, null, { value });
        return req.createResponse(
          ResponseCode.QUERY_NOT_FOUND,
          `No config item, Namespace: ${namespace} Key: ${key}`,
        );
      },
    ],
    [
      RequestCode.DELETE_KV_CONFIG,
      async (req: RemotingCommand) => {
        const namespace = requireString(req.extFields, 'namespace');
        const key = requireString(req.extFields, 'key');
        await kvConfigManager.deleteKVConfig(namespace, key);
        return req.createResponse(ResponseCode.SUCCESS);
      },
    ],
    [
      RequestCode.GET_KVLIST_BY_NAMESPACE,
      (req: RemotingCommand) => {
        const namespace = requireString(req.extFields, 'namespace');
        const body = kvConfigManager.getKVListByNamespace(namespace);
        if (body) return req.createResponse(ResponseCode.SUCCESS, null, undefined, body);
        return req.createResponse(ResponseCode.QUERY_NOT_FOUND, `No config item, Namespace: ${namespace}`);
      },
    ],
  ];
}
