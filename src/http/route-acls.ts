// What each HTTP route asks of the broker's authorizer: the operation and
// resource that the Kafka request doing the same work would need, so a user
// may do over HTTP exactly what its ACLs let it do over Kafka. Asked once the
// request is parsed (its principal known, its body read); a refusal answers 403
// SLUICE_HTTP_FORBIDDEN (listed in docs/errors.md). The listings (GET /topics, /groups, /queues) are
// open and show only what the principal may DESCRIBE (`mayDescribe`).
//
// Every route must have an entry: a route registered without one makes the
// API refuse to start, so none is served unchecked by mistake.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AclOperation, AclResourceType, CLUSTER_RESOURCE } from '../broker/acl/acl-binding.js';
import type { Authorizer } from '../broker/acl/authorizer.js';
import { HttpApiError } from './errors.js';

const { READ, WRITE, CREATE, DELETE, DESCRIBE, ALTER_CONFIGS } = AclOperation;

type Parts = { params: Record<string, string>; query: Record<string, unknown>; body: Record<string, unknown> };

interface Need {
  operation: number;
  resourceType: number;
  name(parts: Parts): string;
  /** Another resource that allows the same (CREATE on the cluster or on the topic). */
  orElse?: Need;
}

const topicParam = (operation: number): Need => ({ operation, resourceType: AclResourceType.TOPIC, name: (p) => p.params.topic });
const topicQuery = (operation: number): Need => ({ operation, resourceType: AclResourceType.TOPIC, name: (p) => String(p.query.topic) });
const topicBody = (operation: number): Need => ({ operation, resourceType: AclResourceType.TOPIC, name: (p) => String(p.body.topic) });
const groupParam = (operation: number): Need => ({ operation, resourceType: AclResourceType.GROUP, name: (p) => p.params.group });
const cluster = (operation: number, orElse?: Need): Need => ({ operation, resourceType: AclResourceType.CLUSTER, name: () => CLUSTER_RESOURCE, orElse });

/** By `METHOD pattern` as registered; [] for routes that hold nothing of the broker's or filter what they list. */
const NEEDS: Record<string, Need[]> = {
  'GET /': [],
  'GET /console/config': [],
  'GET /console/*': [],
  'GET /openapi.json': [],
  'GET /topics': [],
  'GET /groups': [],
  'GET /queues': [],
  'GET /cluster': [cluster(DESCRIBE)],
  'GET /metrics': [cluster(DESCRIBE)],
  'GET /stats/history': [cluster(DESCRIBE)],
  'POST /topics': [cluster(CREATE, { operation: CREATE, resourceType: AclResourceType.TOPIC, name: (p) => String(p.body.name) })],
  'GET /topics/:topic': [topicParam(DESCRIBE)],
  'DELETE /topics/:topic': [topicParam(DELETE)],
  'PATCH /topics/:topic/configs': [topicParam(ALTER_CONFIGS)],
  'POST /topics/:topic/records': [topicParam(WRITE)],
  'GET /topics/:topic/records': [topicParam(READ)],
  'GET /topics/:topic/stream': [topicParam(READ)],
  'GET /topics/:topic/ws': [topicParam(READ)],
  'POST /request/:topic': [topicParam(WRITE)],
  'GET /groups/:group': [groupParam(DESCRIBE)],
  // As OffsetCommit: READ on the group and on the topic.
  'POST /groups/:group/offsets/reset': [groupParam(READ), topicBody(READ)],
  'GET /queues/:group': [groupParam(DESCRIBE)],
  'POST /queues/:group/messages': [topicQuery(WRITE)],
  // The redrive itself runs through a Kafka client acting as the request's principal (kafka-login.ts), each of its requests checked as that client's.
  'POST /queues/:group/redrive': [groupParam(READ)],
  'POST /queues/:group/receive': [groupParam(READ), topicQuery(READ)],
  'POST /queues/:group/ack': [groupParam(READ)],
  'POST /queues/:group/release': [groupParam(READ)],
  'POST /queues/:group/reject': [groupParam(READ)],
};

/** HEAD asks what GET would (Fastify serves a HEAD route beside each GET one). */
const requester = (request: FastifyRequest) => ({ principal: request.principal, clientHost: request.ip });

const key = (method: string, url: string) => `${method === 'HEAD' ? 'GET' : method} ${url}`;

function allowed(authorizer: Authorizer, request: FastifyRequest, need: Need, parts: Parts): boolean {
  if (authorizer.allows(requester(request), need.operation, need.resourceType, need.name(parts))) return true;
  return need.orElse !== undefined && allowed(authorizer, request, need.orElse, parts);
}

/** Whether the request's principal may see a topic or group in a listing. */
export function mayDescribe(authorizer: Authorizer, request: FastifyRequest, resourceType: number, name: string): boolean {
  return authorizer.allows(requester(request), DESCRIBE, resourceType, name);
}

export function installRouteAcls(app: FastifyInstance, authorizer: Authorizer): void {
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (!(key(method, route.url) in NEEDS)) throw new Error(`the HTTP route ${method} ${route.url} has no entry in route-acls.ts`);
    }
  });
  if (!authorizer.enabled) return;
  app.addHook('preHandler', async (request) => {
    const url = request.routeOptions.url;
    if (url === undefined) return;
    const parts = { params: (request.params ?? {}) as Record<string, string>, query: (request.query ?? {}) as Record<string, unknown>, body: (request.body ?? {}) as Record<string, unknown> };
    for (const need of NEEDS[key(request.method, url)] ?? []) {
      if (!allowed(authorizer, request, need, parts)) {
        authorizer.refused(requester(request), need.operation, need.resourceType, need.name(parts));
        throw new HttpApiError(403, 'SLUICE_HTTP_FORBIDDEN', `${request.principal} may not ${request.method} ${request.url.split('?')[0]}`, 'ask an administrator for the ACL (sluice acl add), as for the Kafka API doing the same');
      }
    }
  });
}
