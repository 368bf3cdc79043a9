export { KafkaClient, type ClientOptions, type TopicInfo, type ConnectionPurpose } from './kafka-client.js';
export { type ClientTlsOptions, type ClientSaslOptions, type SaslMechanism } from './client-security.js';
export {
  Admin,
  EARLIEST,
  LATEST,
  type TopicDescription,
  type GroupOverview,
  type GroupDescription,
  type GroupMember,
  type TransactionOverview,
  type TransactionDescription,
  type ConfigResource,
  type ConfigEntry,
  type ConfigChanges,
  type NewTopicOptions,
} from './admin.js';
export {
  AclOperation,
  AclPatternType,
  AclPermissionType,
  AclResourceType,
  ALL_BINDINGS,
  CLUSTER_RESOURCE,
  WILDCARD_HOST,
  WILDCARD_PRINCIPAL,
  WILDCARD_RESOURCE,
  type AclBinding,
  type AclBindingFilter,
} from '../protocol/acl-codes.js';
export { Producer, type ProducerRecord, type ProducerOptions, type Acks, type RecordMetadata, SentBatch, type Transaction, type TopicPartitionOffset } from './producer.js';
export { AssignedConsumer, type AssignedConsumerOptions, type ConsumedRecord, type FetchOptions } from './consumer.js';
export { fetchChannel, type OffsetResetPolicy } from './fetch-engine.js';
export { GroupConsumer, type GroupConsumerOptions, type AssignedPartition } from './group-consumer.js';
export { type AssignorName } from './assignors/index.js';
export { type TopicPartitions } from '../protocol/consumer-protocol.js';
export { type PartitionOffset, type CommittedOffset } from './group-offsets.js';
export { ClientError, KafkaError } from './client-error.js';
export { connect, SluiceClient, type ConnectOptions } from './sluice-client.js';
export { SluiceProducer, type SluiceProducerOptions, type SluiceTransaction, type OutgoingRecord } from './sluice-producer.js';
export { SluiceConsumer, type SluiceConsumerOptions, type ReceivedRecord, type RunOptions, type Decoding } from './sluice-consumer.js';
export { SluiceQueue, type QueueOptions, type QueueMessage, type QueueRunOptions, rejectChannel } from './sluice-queue.js';
export { acknowledgeFailureChannel } from './share/share-consumer.js';
export { type RequestOptions, type RequestHandler, type ServeOptions, type Server, CORRELATION_ID_HEADER, REPLY_TO_HEADER, ERROR_HEADER } from './request-reply.js';
export { type Format, type Deserializer, type Serializer, type Serializers, type Headers, type HeaderValue, type Decoded } from './serde.js';
export { isRetriable, refreshesMetadata } from './retriable.js';
export { withRetries, isRetriableFailure, type RetryOptions, type RetryAttempt, type RetryTiming } from './retry.js';
