// Request and response headers.
// RequestHeader v1: api_key int16, api_version int16, correlation_id int32, client_id nullable string (int16 length).
// RequestHeader v2 (flexible requests): v1 + tagged fields; client_id keeps its int16 length.
// ResponseHeader v0: correlation_id int32; v1 (flexible responses) adds tagged fields,
// except ApiVersions, whose response header is always v0 so any client can read it (KIP-511).

import { Reader } from './reader.js';
import { Writer } from './writer.js';

export const API_VERSIONS_KEY = 18;

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Reads the fixed part of a request header (key, version, correlation id, client id). */
export function readRequestHeader(r: Reader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.string(false);
  return { apiKey, apiVersion, correlationId, clientId };
}

/** Skips the tagged-field section that ends a flexible request header. */
export function skipHeaderTags(r: Reader): void {
  const count = r.tagCount();
  for (let i = 0; i < count; i++) {
    r.uvarint();
    r.skip(r.uvarint());
  }
}

export function writeRequestHeader(w: Writer, h: RequestHeader, flexible: boolean): void {
  w.int16(h.apiKey).int16(h.apiVersion).int32(h.correlationId).string(h.clientId, false);
  if (flexible) w.uvarint(0);
}

export function responseHeaderIsFlexible(apiKey: number, bodyFlexible: boolean): boolean {
  return bodyFlexible && apiKey !== API_VERSIONS_KEY;
}

export function writeResponseHeader(w: Writer, correlationId: number, flexible: boolean): void {
  w.int32(correlationId);
  if (flexible) w.uvarint(0);
}

export function readResponseHeader(r: Reader, flexible: boolean): number {
  const correlationId = r.int32();
  if (flexible) skipHeaderTags(r);
  return correlationId;
}
