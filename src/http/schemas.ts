// JSON schemas the route groups share: path parameters and the error answers
// every route may give (errors.ts), so the OpenAPI document shows them.

import { ERROR_BODY_SCHEMA } from './errors.js';

/** A request part's schema (a query string or a JSON body): an object of `properties` whose unknown fields are refused. */
export function strictObject(properties: Record<string, unknown>, required: string[] = []) {
  return { type: 'object', additionalProperties: false, properties, ...(required.length > 0 ? { required } : {}) } as const;
}

/** An answer's list of objects with these `properties`, for the OpenAPI document. */
export function listOf(properties: Record<string, unknown>) {
  return { type: 'array', items: { type: 'object', properties } } as const;
}

/** An answer's topic-partition: the fields each entry of a per-partition list starts with. */
export const topicPartitionProperties = { topic: { type: 'string' }, partition: { type: 'integer' } } as const;

export const topicParam = {
  type: 'object',
  required: ['topic'],
  properties: { topic: { type: 'string', minLength: 1, maxLength: 249 } },
} as const;

export const groupParam = {
  type: 'object',
  required: ['group'],
  properties: { group: { type: 'string', minLength: 1 } },
} as const;

export const ERROR_RESPONSES = {
  '4xx': { description: 'a refused request: { error: { code, message, hint } }', ...ERROR_BODY_SCHEMA },
  '5xx': { description: 'the broker could not do it: { error: { code, message, hint } }', ...ERROR_BODY_SCHEMA },
} as const;
