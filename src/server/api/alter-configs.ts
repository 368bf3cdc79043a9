// AlterConfigs v0-2 (v2 flexible): the given configs replace all of a
// resource's overrides. Topics, this broker and groups; see
// src/broker/config-changes.ts for what is refused and with which error.
// Needs ALTER_CONFIGS on the resource (the cluster for a broker).

import { AlterOp, alterConfigs as alter } from '../../broker/config-changes.js';
import type { Message } from '../../protocol/codec.js';
import { AlterConfigsRequest, AlterConfigsResponse } from '../../protocol/messages/alter-configs.js';
import type { ApiHandler, RequestContext } from './handler.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ALTER_CONFIGS, configResourceError } from './authorize.js';

/** Both AlterConfigs APIs: request resources to broker alterations, results back in request order. */
export async function answerAlterations(req: Message, ctx: RequestContext, incremental: boolean): Promise<Message> {
  const resources = req.resources.map((r: Message) => ({
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    alterations: r.configs.map((c: Message) => ({ name: c.name, op: incremental ? c.configOperation : AlterOp.SET, value: c.value })),
  }));
  const refusals = resources.map((r: Message) => configResourceError(ctx, ALTER_CONFIGS, r.resourceType, r.resourceName));
  const allowed = resources.filter((_: Message, i: number) => refusals[i] === ErrorCode.NONE);
  const results = await alter(ctx.broker, allowed, incremental, req.validateOnly);
  return {
    throttleTimeMs: 0,
    responses: resources.map((r: Message, i: number) => ({
      ...(refusals[i] === ErrorCode.NONE ? results.shift() : { errorCode: refusals[i], errorMessage: `not allowed to alter the configs of '${r.resourceName}'` }),
      resourceType: r.resourceType,
      resourceName: r.resourceName,
    })),
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
