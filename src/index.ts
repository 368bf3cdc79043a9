// Public API: embed a broker, or talk to one.

export { startBroker, type RunningBroker, type StartOptions } from './start-broker.js';
export type { BrokerConfig } from './config.js';
export * from './client/index.js';
export { Codec } from './protocol/record-batch.js';
