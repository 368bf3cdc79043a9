// Consumer groups over HTTP: the list (as ListGroups), and one group's
// members with what each is assigned, and per partition its committed offset
// and lag in offsets and in seconds (coordinator/group/group-lag.ts).

import type { FastifyInstance } from 'fastify';
import { groupLag } from '../coordinator/group/group-lag.js';
import { CONSUMER_PROTOCOL_TYPE } from '../coordinator/group/consumer-protocol.js';
import { decodeAssignment } from '../protocol/consumer-protocol.js';
import type { MemberDescription } from '../coordinator/group/group.js';
import type { HttpApiContext } from './api-context.js';
import { HttpApiError } from './errors.js';
import { ERROR_RESPONSES, groupParam } from './schemas.js';

const groupSummarySchema = {
  type: 'object',
  properties: { groupId: { type: 'string' }, state: { type: 'string' }, type: { type: 'string' }, protocolType: { type: 'string' } },
} as const;

const nullableInteger = { type: ['integer', 'null'] } as const;

const groupDetailSchema = {
  type: 'object',
  properties: {
    ...groupSummarySchema.properties,
    protocol: { type: 'string', description: 'the assignor in use' },
    members: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          memberId: { type: 'string' },
          groupInstanceId: { type: ['string', 'null'] },
          clientId: { type: 'string' },
          clientHost: { type: 'string' },
          assignment: {
            type: 'array',
            items: { type: 'object', properties: { topic: { type: 'string' }, partitions: { type: 'array', items: { type: 'integer' } } } },
          },
        },
      },
    },
    totalLag: { type: 'integer' },
    partitions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          topic: { type: 'string' },
          partition: { type: 'integer' },
          committedOffset: { type: 'integer' },
          logStartOffset: nullableInteger,
          highWatermark: nullableInteger,
          lag: { ...nullableInteger, description: 'offsets from the commit (or the log start, if later) to the high watermark' },
          lagSeconds: { type: ['number', 'null'], description: 'age of the oldest record not yet consumed; 0 when caught up' },
        },
      },
    },
  },
} as const;

/** What a member of a consumer group is assigned; other protocols' assignments are opaque bytes. */
function assignmentOf(protocolType: string, m: MemberDescription): { topic: string; partitions: number[] }[] {
  if (protocolType !== CONSUMER_PROTOCOL_TYPE || m.assignment.length === 0) return [];
  try {
    return decodeAssignment(m.assignment).partitions;
  } catch {
    return [];
  }
}

export function registerGroupRoutes(app: FastifyInstance, ctx: HttpApiContext): void {
  app.get(
    '/groups',
    {
      schema: {
        summary: 'List the groups (classic, consumer-protocol and share groups)',
        tags: ['groups'],
        response: { 200: { type: 'object', properties: { groups: { type: 'array', items: groupSummarySchema } } }, ...ERROR_RESPONSES },
      },
    },
    async () => ({ groups: ctx.groups.listGroups().sort((a, b) => a.groupId.localeCompare(b.groupId)) }),
  );

  app.get<{ Params: { group: string } }>(
    '/groups/:group',
    {
      schema: {
        summary: "A group's members, committed offsets and lag in offsets and seconds",
        tags: ['groups'],
        params: groupParam,
        response: { 200: groupDetailSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const groupId = request.params.group;
      const listed = ctx.groups.listGroups().find((g) => g.groupId === groupId);
      const lag = groupLag(ctx.broker, ctx.groups, groupId, Date.now());
      if (!listed && lag.length === 0) throw new HttpApiError(404, 'SLUICE_HTTP_UNKNOWN_GROUP', `no group '${groupId}' (no members, no committed offsets)`, 'GET /groups lists the groups');
      // A share group is listed but not described here: its members and figures belong to the queue routes.
      const group = ctx.groups.describeGroup(groupId);
      return {
        groupId,
        state: listed?.state ?? group.state,
        type: listed?.type ?? 'classic',
        protocolType: group.protocolType,
        protocol: group.protocolName,
        members: group.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          assignment: assignmentOf(group.protocolType, m),
        })),
        totalLag: lag.reduce((n, p) => n + (p.lag ?? 0), 0),
        partitions: lag.map(({ lagMs, ...p }) => ({ ...p, lagSeconds: lagMs === null ? null : lagMs / 1000 })),
      };
    },
  );
}
