export { KafkaClient, type ClientOptions, type TopicInfo, type ConnectionPurpose } from './kafka-client.js';
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
} from './admin.js';
export { Producer, type ProducerRecord, type ProducerOptions, type Acks } from './producer.js';
export { AssignedConsumer, type ConsumedRecord, type FetchOptions } from './consumer.js';
export { GroupConsumer, type GroupConsumerOptions, type AssignedPartition } from './group-consumer.js';
export { type TopicPartitions } from '../protocol/consumer-protocol.js';
export { type PartitionOffset, type CommittedOffset } from './group-offsets.js';
export { ClientError, KafkaError } from './client-error.js';
export { isRetriable, refreshesMetadata } from './retriable.js';
export { withRetries, isRetriableFailure, type RetryOptions, type RetryAttempt, type RetryTiming } from './retry.js';
