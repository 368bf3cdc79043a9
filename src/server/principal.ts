// Who a connection acts as, in Kafka's form `User:<name>` (KafkaPrincipal's
// type and name). Kafka's default principal builder gives: the SASL user on a
// SASL listener; on an SSL listener with a verified client certificate, its
// subject distinguished name as X500Principal.getName() writes it (RFC 2253:
// the most specific RDN first, e.g. `User:CN=alice,OU=eng`); otherwise
// `User:ANONYMOUS`. An authorizer is asked about this string.

import type { X509Certificate } from 'node:crypto';

export type Principal = `User:${string}`;

export const ANONYMOUS: Principal = 'User:ANONYMOUS';

export const userPrincipal = (name: string): Principal => `User:${name}`;

/**
 * The principal of a verified client certificate. Node gives the subject as one
 * `TYPE=value` line per attribute, values escaped as RFC 2253 asks, in
 * certificate order (the least specific first); RFC 2253 reverses that order.
 */
export function certificatePrincipal(cert: X509Certificate): Principal {
  return userPrincipal(cert.subject.split('\n').filter((line) => line !== '').reverse().join(','));
}

/** The name of a principal without its type, as quotas name users (`User:alice` → `alice`). */
export const principalName = (principal: Principal): string => principal.slice('User:'.length);
