// A SASL listener connection's authentication, consulted by the connection for
// every frame before it is decoded:
//
//   handshake ──SaslHandshake(mechanism)──> authenticate ──SaslAuthenticate…──> authenticated
//       │                                        │ failure                          │ SaslHandshake (KIP-368)
//       └── anything but ApiVersions and SASL:   └──> failed: answered, then        └──> authenticate again,
//           closed, its body never read               the connection closes              same principal only
//
// SaslHandshake v0 (before KIP-152) makes the next frames raw SASL tokens
// rather than Kafka requests (`rawTokens`); v1 carries them in SaslAuthenticate.
// With connectionsMaxReauthMs, SaslAuthenticate v1+ tells the client its session
// lifetime and a request after it lapses closes the connection, unless it
// re-authenticates (KIP-368).

import type { Clock } from '../../clock.js';
import type { BrokerConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import { isScramMechanism } from '../../protocol/scram.js';
import type { UserCredentials } from '../../broker/user-credentials.js';
import { usesTls } from '../../listener-config.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { publishAuthentication } from '../authentication-channel.js';
import type { ConnectionSecurity } from '../connection-security.js';
import { userPrincipal } from '../principal.js';
import type { RateLimitedWarning } from '../rate-limited-warning.js';
import { plainStep } from './plain-exchange.js';
import { type SaslStep, ScramExchange } from './scram-exchange.js';

const API_SASL_HANDSHAKE = 17;
const API_VERSIONS = 18;
const API_SASL_AUTHENTICATE = 36;

/** The requests a connection may send before it is authenticated (Kafka's SaslServerAuthenticator). */
const isSaslExchangeApi = (apiKey: number): boolean => apiKey === API_VERSIONS || apiKey === API_SASL_HANDSHAKE || apiKey === API_SASL_AUTHENTICATE;

export interface SaslAnswer {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs: number;
}

/** What every SASL session of a listener shares. */
export interface SaslContext {
  config: BrokerConfig;
  credentials: UserCredentials;
  log: Logger;
  clock: Clock;
  /** Failed authentications are logged at most this often, per listener. */
  failures: RateLimitedWarning;
}

export class SaslSession {
  private state: 'handshake' | 'authenticate' | 'authenticated' | 'failed' = 'handshake';
  private mechanism = '';
  private scram: ScramExchange | null = null;
  private authenticatedAs: string | null = null;
  private expiresAtMs = Infinity;
  /** After a SaslHandshake v0: the next frame is a raw token, not a request. */
  rawTokens = false;
  /** Ends the connection once the answers queued so far are written (bound by the connection). */
  closeAfterAnswers: (reason: string) => void = () => {};

  constructor(
    private readonly shared: SaslContext,
    private readonly security: ConnectionSecurity,
    /** Where the connection is from and which port it came in on, for logs and the authentication channel. */
    private readonly peer: { clientHost: string; listenerPort: number },
  ) {}

  /** Whether a request with `apiKey` may be decoded and served now. */
  admits(apiKey: number): boolean {
    if (isSaslExchangeApi(apiKey)) return this.state !== 'failed';
    // Also while re-authenticating: the session before it holds until it lapses.
    return this.authenticatedAs !== null && this.state !== 'failed' && this.shared.clock.now() < this.expiresAtMs;
  }

  /** Logs (rate-limited) and returns why `apiKey` is not admitted; the connection then closes. */
  refuse(apiKey: number): string {
    const reason =
      this.authenticatedAs !== null ? `session expired (connectionsMaxReauthMs) and API ${apiKey} is not a re-authentication` : `API ${apiKey} before SASL authentication completed`;
    this.shared.failures.warn(this.shared.log, { listener: this.security.listener, client: this.peer.clientHost, reason }, 'request refused: connection not authenticated');
    return reason;
  }

  /** Mechanisms offered on this listener: PLAIN only where TLS protects the password, unless allowed. */
  private offered(): string[] {
    const { saslMechanisms, saslPlainAllowPlaintext } = this.shared.config;
    return saslMechanisms.filter((m) => m !== 'PLAIN' || usesTls(this.security.listener) || saslPlainAllowPlaintext);
  }

  handshake(mechanism: string, version: number): { errorCode: number; mechanisms: string[] } {
    const mechanisms = this.offered();
    if (this.state === 'authenticate' || this.state === 'failed') {
      this.closeAfterAnswers('SaslHandshake out of order');
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms };
    }
    if (!mechanisms.includes(mechanism)) {
      if (mechanism === 'PLAIN' && this.shared.config.saslMechanisms.includes('PLAIN')) {
        this.shared.failures.warn(this.shared.log, { listener: this.security.listener, client: this.peer.clientHost }, 'PLAIN refused on a listener without TLS: the password would cross the network in clear; use SASL_SSL, or --sasl-plain-allow-plaintext');
      }
      this.closeAfterAnswers(`unsupported SASL mechanism ${mechanism}`);
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms };
    }
    this.mechanism = mechanism;
    this.scram = isScramMechanism(mechanism) ? new ScramExchange(mechanism, this.shared.credentials) : null;
    this.state = 'authenticate';
    this.rawTokens = version === 0;
    return { errorCode: ErrorCode.NONE, mechanisms };
  }

  /** One SASL token of the exchange; `version` is SaslAuthenticate's (-1 for a raw token after SaslHandshake v0). */
  async authenticate(token: Buffer, version: number): Promise<SaslAnswer> {
    if (this.state !== 'authenticate') {
      this.closeAfterAnswers('SaslAuthenticate without a SaslHandshake');
      return answer(ErrorCode.ILLEGAL_SASL_STATE, 'SaslAuthenticate must follow a SaslHandshake');
    }
    const step = this.scram ? this.scram.step(token) : await plainStep(token, this.shared.credentials);
    if (step.kind === 'challenge') return answer(ErrorCode.NONE, null, step.bytes);
    if (step.kind === 'done' && (this.authenticatedAs === null || this.authenticatedAs === step.user)) return this.succeed(step.user, step.bytes, version);
    return this.fail(step.kind === 'failed' ? step : { kind: 'failed', reason: 're-authentication as another user', user: step.user });
  }

  private succeed(user: string, bytes: Buffer, version: number): SaslAnswer {
    const principal = userPrincipal(user);
    const lifetimeMs = this.shared.config.connectionsMaxReauthMs;
    this.state = 'authenticated';
    this.rawTokens = false;
    this.authenticatedAs = user;
    this.security.principal = principal;
    this.expiresAtMs = lifetimeMs > 0 ? this.shared.clock.now() + lifetimeMs : Infinity;
    this.shared.log.debug({ listener: this.security.listener, client: this.peer.clientHost, principal, mechanism: this.mechanism }, 'SASL authentication succeeded');
    publishAuthentication({ listener: this.security.listener, ...this.peer, principal, mechanism: this.mechanism, succeeded: true });
    return answer(ErrorCode.NONE, null, bytes, version >= 1 ? lifetimeMs : 0);
  }

  private fail(step: Extract<SaslStep, { kind: 'failed' }>): SaslAnswer {
    this.state = 'failed';
    const principal = step.user === '' ? '' : userPrincipal(step.user);
    this.shared.failures.warn(this.shared.log, { listener: this.security.listener, client: this.peer.clientHost, principal, mechanism: this.mechanism, reason: step.reason }, 'SASL authentication failed');
    publishAuthentication({ listener: this.security.listener, ...this.peer, principal, mechanism: this.mechanism, succeeded: false });
    this.closeAfterAnswers('SASL authentication failed');
    // Kafka's words; the reason (unknown user, wrong password) stays in the broker's log.
    return answer(ErrorCode.SASL_AUTHENTICATION_FAILED, `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`);
  }
}

function answer(errorCode: number, errorMessage: string | null, authBytes: Buffer = Buffer.alloc(0), sessionLifetimeMs = 0): SaslAnswer {
  return { errorCode, errorMessage, authBytes, sessionLifetimeMs };
}
