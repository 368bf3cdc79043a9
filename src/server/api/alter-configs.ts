// AlterConfigs v0-2 (v2 flexible): the given configs replace all of a
// resource's overrides. Topics, this broker and groups; see
// src/broker/config-changes.ts for what is refused and with which error.

import { AlterOp, alterConfigs as alter } from '../../broker/config-changes.js';
import type { Message } from '../../protocol/codec.js';
import { AlterConfigsRequest, AlterConfigsResponse } from '../../protocol/messages/alter-configs.js';
import type { ApiHandler, RequestContext } from './handler.js';

/** Both AlterConfigs APIs: request resources to broker alterations, results back in request order. */
export async function answerAlterations(req: Message, ctx: RequestContext, incremental: boolean): Promise<Message> {
  const resources = req.resources.map((r: Message) => ({
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    alterations: r.configs.map((c: Message) => ({ name: c.name, op: incremental ? c.configOperation : AlterOp.SET, value: c.value })),
  }));
  const results = await alter(ctx.broker, resources, incremental, req.validateOnly);
  return {
    throttleTimeMs: 0,
    responses: results.map((res, i) => ({ ...res, resourceType: resources[i].resourceType, resourceName: resources[i].resourceName })),
  };
}

export const alterConfigs: ApiHandler = {
  apiKey: 33,
  minVersion: 0,
  maxVersion: 2,
  request: AlterConfigsRequest,
  response: AlterConfigsResponse,
  handle: (req, ctx) => answerAlterations(req, ctx, false),
};
