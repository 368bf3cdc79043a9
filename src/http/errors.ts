// Errors of the HTTP API: every failure leaves as
//   { "error": { "code": "SLUICE_HTTP_...", "message": "...", "hint": "..." } }
// with a stable code (docs/errors.md lists them) and the HTTP status that fits.
// Fastify's own failures (schema validation, unreadable JSON, a body over the
// limit, an unknown content type or route) are mapped onto these codes here,
// so a client never sees Fastify's error shape.

import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { ErrorCode, errorName } from '../protocol/error-codes.js';

export class HttpApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'HttpApiError';
  }
}

/** The JSON schema of an error body, for the OpenAPI document. */
export const ERROR_BODY_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
} as const;

/** HTTP statuses of the Kafka error codes a broker decision can end in; others are 500. */
const STATUS_OF_KAFKA_ERROR: ReadonlyMap<number, number> = new Map<number, number>([
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 404],
  [ErrorCode.TOPIC_ALREADY_EXISTS, 409],
  [ErrorCode.INVALID_TOPIC_EXCEPTION, 400],
  [ErrorCode.INVALID_PARTITIONS, 400],
  [ErrorCode.INVALID_REPLICATION_FACTOR, 400],
  [ErrorCode.INVALID_CONFIG, 400],
  [ErrorCode.INVALID_REQUEST, 400],
  [ErrorCode.INVALID_RECORD, 400],
  [ErrorCode.INVALID_TIMESTAMP, 400],
  [ErrorCode.CORRUPT_MESSAGE, 400],
  [ErrorCode.MESSAGE_TOO_LARGE, 413],
  [ErrorCode.RECORD_LIST_TOO_LARGE, 413],
  [ErrorCode.KAFKA_STORAGE_ERROR, 503],
  [ErrorCode.TOPIC_AUTHORIZATION_FAILED, 403],
  [ErrorCode.GROUP_AUTHORIZATION_FAILED, 403],
  [ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 403],
]);

/** The broker refused with a Kafka error code: its name and reason travel in the message. */
export function kafkaError(errorCode: number, reason: string | null, doing: string): HttpApiError {
  const name = errorName(errorCode);
  const status = STATUS_OF_KAFKA_ERROR.get(errorCode) ?? 500;
  const hint = errorCode === ErrorCode.KAFKA_STORAGE_ERROR ? 'the partition is offline after a storage failure; see the broker log' : undefined;
  return new HttpApiError(status, 'SLUICE_HTTP_KAFKA_ERROR', `${doing}: ${name}${reason ? `: ${reason}` : ''}`, hint);
}

export function sendError(reply: FastifyReply, err: HttpApiError): FastifyReply {
  return reply.code(err.statusCode).send({ error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } });
}

/** Fastify's own failures, by its error code, as the API's. */
function fromFastify(err: FastifyError): HttpApiError {
  if (err.validation) {
    return new HttpApiError(400, 'SLUICE_HTTP_BAD_REQUEST', err.message, 'GET /openapi.json describes every route and its schema');
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpApiError(413, 'SLUICE_HTTP_BODY_TOO_LARGE', err.message, 'send fewer or smaller records per request');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpApiError(415, 'SLUICE_HTTP_UNSUPPORTED_MEDIA_TYPE', err.message, 'send application/json, or application/octet-stream for a raw record value');
    default:
      // Unreadable JSON (a SyntaxError with status 400), an empty JSON body, and the like.
      if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) return new HttpApiError(err.statusCode, 'SLUICE_HTTP_BAD_REQUEST', err.message);
      return new HttpApiError(500, 'SLUICE_HTTP_INTERNAL', 'the broker failed to answer this request; see its log');
  }
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const apiError = err instanceof HttpApiError ? err : fromFastify(err);
    if (apiError.statusCode >= 500) request.log.error({ err, url: request.url }, 'HTTP API request failed');
    return sendError(reply, apiError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new HttpApiError(404, 'SLUICE_HTTP_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`, 'GET /openapi.json lists the routes')),
  );
}
