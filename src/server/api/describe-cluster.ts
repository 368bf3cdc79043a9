// DescribeCluster v0-2 (flexible): the cluster id, the controller and the
// brokers, as Kafka 4 answers on a broker listener. Only endpoint type 1
// (brokers) is served here: Sluice has no separate controller listener, so a
// request for controllers (2) gets MISMATCHED_ENDPOINT_TYPE, as a Kafka broker
// answers it (KIP-919), and other types UNSUPPORTED_ENDPOINT_TYPE. The control
// plane lists only live brokers and fences none, so include_fenced_brokers
// (v2, KIP-1073) changes nothing and is_fenced is always false.

import { AclResourceType, CLUSTER_RESOURCE } from '../../broker/acl/acl-binding.js';
import { DESCRIBE, mayOnCluster, operationsField } from './authorize.js';
import { brokersOn } from '../../cluster/broker-endpoints.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DescribeClusterRequest, DescribeClusterResponse } from '../../protocol/messages/describe-cluster.js';
import type { ApiHandler } from './handler.js';

const ENDPOINT_TYPE_BROKERS = 1;
const ENDPOINT_TYPE_CONTROLLERS = 2;

export const describeCluster: ApiHandler = {
  apiKey: 60,
  minVersion: 0,
  maxVersion: 2,
  request: DescribeClusterRequest,
  response: DescribeClusterResponse,
  handle(req, ctx) {
    // Errors leave every other field at its default, as Kafka's do.
    const fail = (errorCode: number, errorMessage: string) => ({ throttleTimeMs: 0, errorCode, errorMessage, endpointType: req.endpointType });
    if (req.endpointType === ENDPOINT_TYPE_CONTROLLERS) return fail(ErrorCode.MISMATCHED_ENDPOINT_TYPE, 'this listener serves brokers, not controllers');
    if (req.endpointType !== ENDPOINT_TYPE_BROKERS) return fail(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, `unsupported endpoint type ${req.endpointType}`);
    if (!mayOnCluster(ctx, DESCRIBE)) return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'not allowed to describe the cluster');
    const { cluster } = ctx.broker;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: ENDPOINT_TYPE_BROKERS,
      clusterId: cluster.clusterId,
      controllerId: cluster.controllerId,
      brokers: brokersOn(cluster.brokers(), ctx.listener).map(({ nodeId, host, port, rack }) => ({ brokerId: nodeId, host, port, rack, isFenced: false })),
      clusterAuthorizedOperations: operationsField(ctx, req.includeClusterAuthorizedOperations, AclResourceType.CLUSTER, CLUSTER_RESOURCE),
    };
  },
};
