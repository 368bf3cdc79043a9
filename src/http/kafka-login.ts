// The routes that work through a Kafka client of this broker (queue redrive)
// connect as the HTTP request's principal, so that the broker's ACLs judge the
// client's requests as they would judge that user's own client: after a Basic
// login the client logs in with the same name and password on a SASL listener
// (SCRAM with a credential the user has, else PLAIN where the broker offers
// it); User:ANONYMOUS connects to a PLAINTEXT listener, or an SSL one that asks
// for no client certificate. Without the ACL authorizer the principal decides
// nothing, so a listener without a login does for anyone. The client connects
// where other clients do (the advertised address) and trusts the public CAs,
// tlsCa, and the broker's own certificate (a self-signed one).

import fs from 'node:fs';
import tls from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { SaslMechanism } from '../client/client-security.js';
import { KafkaClient } from '../client/kafka-client.js';
import { usesSasl, usesTls } from '../listener-config.js';
import type { ScramMechanism } from '../protocol/scram.js';
import { ANONYMOUS } from '../server/principal.js';
import type { HttpApiContext } from './api-context.js';
import { basicCredentialsOf } from './basic-auth.js';
import { HttpApiError } from './errors.js';

/** SASL mechanisms in the order a login tries them: the strongest the user has a credential for first. */
const LOGIN_MECHANISMS: readonly SaslMechanism[] = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'];

/** A Kafka client of this broker that acts as `request`'s principal; the caller closes it. */
export function kafkaClientAs(ctx: HttpApiContext, request: FastifyRequest, clientId: string): KafkaClient {
  const { config } = ctx;
  const given = request.principal === ANONYMOUS ? null : basicCredentialsOf(request);
  const login = given === null || given === 'malformed' ? null : given;
  const mechanism = login === null ? undefined : LOGIN_MECHANISMS.find((m) => mayLogIn(ctx, login.user, m));
  const endpoints = config.advertisedListeners.length > 0 ? config.advertisedListeners : config.listeners;
  // PLAIN goes over TLS only, unless the broker allows it in clear (as its SASL_PLAINTEXT listener would refuse it otherwise).
  const plainInClear = mechanism !== 'PLAIN' || config.saslPlainAllowPlaintext;
  const sasl = mechanism === undefined ? undefined : endpoints.find((e) => usesSasl(e.name) && (usesTls(e.name) || plainInClear));
  const withoutLogin = request.principal === ANONYMOUS || config.authorizer !== 'acl';
  const plain = withoutLogin ? endpoints.find((e) => !usesSasl(e.name) && !(usesTls(e.name) && config.tlsClientAuth === 'required')) : undefined;
  const endpoint = sasl ?? plain;
  if (endpoint === undefined) {
    throw new HttpApiError(
      409,
      'SLUICE_HTTP_NO_KAFKA_LOGIN',
      `this route works through a Kafka client acting as ${request.principal}, and no Kafka listener of this broker lets it log in as that`,
      request.principal === ANONYMOUS ? 'log in with --http-auth basic, or give the broker a PLAINTEXT listener' : 'give the broker a SASL_PLAINTEXT or SASL_SSL listener with a SCRAM mechanism the user has a credential for',
    );
  }
  return new KafkaClient({
    bootstrap: `${endpoint.host || config.host}:${endpoint.port}`,
    clientId,
    tls: usesTls(endpoint.name) ? { ca: [...tls.rootCertificates, ...[config.tlsCert, config.tlsCa].filter((f) => f !== '').map((f) => fs.readFileSync(f))] } : undefined,
    sasl: endpoint === sasl && login !== null ? { mechanism: mechanism!, username: login.user, password: login.password } : undefined,
  });
}

/** Whether the broker offers `mechanism` and `user` can log in with it (SCRAM needs that mechanism's credential; PLAIN checks any). */
function mayLogIn(ctx: HttpApiContext, user: string, mechanism: SaslMechanism): boolean {
  if (!ctx.config.saslMechanisms.includes(mechanism)) return false;
  if (mechanism === 'PLAIN') return ctx.credentials.describe(user).length > 0;
  return ctx.credentials.get(user, mechanism as ScramMechanism) !== undefined;
}
