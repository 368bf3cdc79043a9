// Consumer groups over HTTP: the list (as ListGroups), and one group's
// members with what each is assigned, and per partition its committed offset
// and lag in offsets and in seconds (coordinator/group/group-lag.ts); the
// reset of a group's offsets on a topic (coordinator/group/offset-reset.ts),
// with a dry run, refused while the group has members.

import { AclResourceType } from '../broker/acl/acl-binding.js';
import { mayDescribe } from './route-acls.js';
import type { FastifyInstance } from 'fastify';
import { groupLag } from '../coordinator/group/group-lag.js';
import { type ResetTarget, commitStandalone, isGroupActiveError, planOffsetReset } from '../coordinator/group/offset-reset.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { CONSUMER_PROTOCOL_TYPE } from '../coordinator/group/consumer-protocol.js';
import { decodeAssignment } from '../protocol/consumer-protocol.js';
import type { MemberDescription } from '../coordinator/group/group.js';
import type { HttpApiContext } from './api-context.js';
import { HttpApiError, kafkaError } from './errors.js';
import { partitionOf } from './partition-lookup.js';
import { ERROR_RESPONSES, groupParam, listOf, strictObject, topicPartitionProperties } from './schemas.js';

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
    partitions: listOf({
      ...topicPartitionProperties,
      committedOffset: { type: 'integer' },
      logStartOffset: nullableInteger,
      highWatermark: nullableInteger,
      lag: { ...nullableInteger, description: 'offsets from the commit (or the log start, if later) to the high watermark' },
      lagSeconds: { type: ['number', 'null'], description: 'age of the oldest record not yet consumed; 0 when caught up' },
    }),
  },
} as const;

interface ResetBody {
  topic: string;
  to: ResetTarget['to'];
  offset?: number;
  time?: number;
  partitions?: number[];
  dryRun: boolean;
}

const resetAnswerSchema = {
  type: 'object',
  properties: {
    dryRun: { type: 'boolean' },
    partitions: listOf({
      ...topicPartitionProperties,
      current: { ...nullableInteger, description: 'the committed offset before the reset; null when none' },
      target: { type: 'integer' },
    }),
  },
} as const;

function groupActive(groupId: string, members: number): HttpApiError {
  return new HttpApiError(409, 'SLUICE_HTTP_GROUP_ACTIVE', `group '${groupId}' has ${members > 0 ? `${members} member(s)` : 'members'}; its offsets are reset only while it is empty`, 'stop its consumers first (GET /groups/{g} lists them)');
}

function resetTargetOf(body: ResetBody): ResetTarget {
  const missing = (field: string) => new HttpApiError(400, 'SLUICE_HTTP_BAD_REQUEST', `to: '${body.to}' needs ${field}`);
  if (body.to === 'offset') {
    if (body.offset === undefined) throw missing('offset');
    return { to: 'offset', offset: body.offset };
  }
  if (body.to === 'time') {
    if (body.time === undefined) throw missing('time');
    return { to: 'time', time: body.time };
  }
  return { to: body.to };
}

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
    async (request) => ({
      groups: ctx.groups
        .listGroups()
        .filter((g) => mayDescribe(ctx.authorizer, request, AclResourceType.GROUP, g.groupId))
        .sort((a, b) => a.groupId.localeCompare(b.groupId)),
    }),
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

  app.post<{ Params: { group: string }; Body: ResetBody }>(
    '/groups/:group/offsets/reset',
    {
      schema: {
        summary: "Reset a group's committed offsets on a topic (needs --http-writes)",
        description:
          'Targets per partition: earliest, latest, an offset (clamped into the log, as kafka-consumer-groups.sh does) or the first record at or after a time (ms; the high watermark when none). With dryRun the answer shows the targets and nothing changes. Refused with 409 SLUICE_HTTP_GROUP_ACTIVE while the group has members.',
        tags: ['groups'],
        params: groupParam,
        body: strictObject(
          {
            topic: { type: 'string', minLength: 1, maxLength: 249 },
            to: { type: 'string', enum: ['earliest', 'latest', 'offset', 'time'] },
            offset: { type: 'integer', minimum: 0 },
            time: { type: 'integer', minimum: 0 },
            partitions: { type: 'array', items: { type: 'integer', minimum: 0 }, uniqueItems: true, maxItems: 100_000, description: 'default every partition of the topic' },
            dryRun: { type: 'boolean' },
          },
          ['topic', 'to', 'dryRun'],
        ),
        response: { 200: resetAnswerSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const groupId = request.params.group;
      const body = request.body;
      const target = resetTargetOf(body);
      const topic = ctx.broker.cluster.topic(body.topic);
      if (!topic) throw new HttpApiError(404, 'SLUICE_HTTP_UNKNOWN_TOPIC', `unknown topic '${body.topic}'`, 'GET /topics lists the topics');
      if (ctx.groups.listGroups([], ['share']).some((g) => g.groupId === groupId)) {
        throw new HttpApiError(400, 'SLUICE_HTTP_BAD_REQUEST', `'${groupId}' is a share group (a queue), which has no committed offsets`, 'a queue starts where share.auto.offset.reset says');
      }
      const partitions = (body.partitions ?? topic.partitions.map((_, i) => i)).map((i) => partitionOf(ctx, body.topic, i));
      const members = ctx.groups.describeGroup(groupId).members.length;
      if (members > 0) throw groupActive(groupId, members);
      const plan = await planOffsetReset(ctx.groups, groupId, body.topic, partitions, target);
      if (body.dryRun) return { dryRun: true, partitions: plan };
      const errors = await commitStandalone(ctx.groups, groupId, plan);
      const failed = errors.find((e) => e !== ErrorCode.NONE);
      // A member may have joined between the check and the commit.
      if (failed !== undefined) throw isGroupActiveError(failed) ? groupActive(groupId, 0) : kafkaError(failed, null, `committing the offsets of group '${groupId}'`);
      return { dryRun: false, partitions: plan };
    },
  );
}
