export { KafkaClient, type ClientOptions, type TopicInfo } from './kafka-client.js';
export { Admin, EARLIEST, LATEST, type TopicDescription } from './admin.js';
export { Producer, type ProducerRecord, type ProducerOptions, type Acks } from './producer.js';
export { AssignedConsumer, type ConsumedRecord, type FetchOptions } from './consumer.js';
export { ClientError, KafkaError } from './client-error.js';
