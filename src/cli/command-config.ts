// How client commands reach a secured listener, with Kafka's client property
// names (kafka-topics.sh --command-config, librdkafka's -X): from the file of
// --command-config (Java properties; a JSON object of the same names when it
// starts with '{'), each overridden by its SLUICE_* environment variable
// (security.protocol: SLUICE_SECURITY_PROTOCOL), as flags over env over files
// elsewhere in the CLI.
//
//   security.protocol         PLAINTEXT (default) | SSL | SASL_PLAINTEXT | SASL_SSL
//   sasl.mechanism            PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512
//   sasl.username, sasl.password                     (librdkafka's names)
//   sasl.jaas.config          PlainLoginModule or ScramLoginModule required username="..." password="...";
//   ssl.ca.location, ssl.certificate.location, ssl.key.location   PEM files
//
// Anything else, a value out of range, or a setting the protocol does not use
// is an error naming where it was given.

import fs from 'node:fs';
import { type ClientSaslOptions, type ClientTlsOptions, SASL_MECHANISMS, type SaslMechanism } from '../client/client-security.js';
import { ConfigError } from '../errors.js';
import { SECURITY_PROTOCOLS, type SecurityProtocol, usesSasl, usesTls } from '../listener-config.js';
import { type Property, parseProperties } from './properties-file.js';

const KNOWN = [
  'security.protocol',
  'sasl.mechanism',
  'sasl.username',
  'sasl.password',
  'sasl.jaas.config',
  'ssl.ca.location',
  'ssl.certificate.location',
  'ssl.key.location',
] as const;
type Known = (typeof KNOWN)[number];

/** SLUICE_SASL_JAAS_CONFIG for sasl.jaas.config, and so on. */
export const commandConfigEnvName = (key: string): string => `SLUICE_${key.replace(/\./g, '_').toUpperCase()}`;

export interface ClientSecurity {
  tls?: ClientTlsOptions;
  sasl?: ClientSaslOptions;
}

function readSettings(file: string): Property[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read --command-config file ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (!text.trimStart().startsWith('{')) return parseProperties(text, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`${file} must hold a JSON object of Kafka client properties`);
  return Object.entries(parsed).map(([key, value]) => {
    if (typeof value !== 'string') throw new ConfigError(`${file}: property ${key} must be a string, got ${JSON.stringify(value)}`);
    return { key, value, source: `${file} (${key})` };
  });
}

/** The settings of `file` (if any) under those of the environment, by name; unknown names refused. */
function collect(file: string | undefined, env: NodeJS.ProcessEnv): Map<Known, Property> {
  const settings = new Map<Known, Property>();
  for (const p of file === undefined ? [] : readSettings(file)) {
    if (!(KNOWN as readonly string[]).includes(p.key)) throw new ConfigError(`${p.source}: unknown property ${p.key}; the client reads ${KNOWN.join(', ')}`);
    settings.set(p.key as Known, p);
  }
  for (const key of KNOWN) {
    const name = commandConfigEnvName(key);
    const value = env[name];
    if (value !== undefined) settings.set(key, { key, value, source: `environment ${name}` });
  }
  return settings;
}

const LOGIN_MODULES: Record<string, 'plain' | 'scram'> = { PlainLoginModule: 'plain', ScramLoginModule: 'scram' };

/** `<module> required username="..." password="...";` as Kafka's JAAS configuration reads it (one login module). */
function parseJaas(p: Property): { module: 'plain' | 'scram'; username: string; password: string } {
  const head = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\s+/.exec(p.value);
  const module = head ? LOGIN_MODULES[head[1].split('.').at(-1)!] : undefined;
  if (!head || !module) throw new ConfigError(`${p.source}: sasl.jaas.config must name PlainLoginModule or ScramLoginModule, then "required", then username="..." password="...";`);
  const options = new Map<string, string>();
  const option = /\s*([\w.]+)\s*=\s*(?:"((?:\\.|[^"\\])*)"|([^\s";]+))/y;
  const rest = p.value.slice(head[0].length).replace(/\s*;?\s*$/, '');
  let pos = 0;
  while (pos < rest.length) {
    option.lastIndex = pos;
    const m = option.exec(rest);
    if (!m) throw new ConfigError(`${p.source}: sasl.jaas.config cannot be read from "${rest.slice(pos).trim()}"; options are name="value"`);
    options.set(m[1], m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]);
    pos = option.lastIndex;
  }
  const username = options.get('username');
  const password = options.get('password');
  if (username === undefined || password === undefined) throw new ConfigError(`${p.source}: sasl.jaas.config needs username="..." and password="..."`);
  return { module, username, password };
}

function readPem(p: Property | undefined): Buffer | undefined {
  if (p === undefined) return undefined;
  try {
    return fs.readFileSync(p.value);
  } catch (err) {
    throw new ConfigError(`${p.source}: cannot read ${p.key} ${p.value}: ${(err as Error).message}`, { cause: err });
  }
}

function protocolOf(p: Property | undefined): SecurityProtocol {
  if (p === undefined) return 'PLAINTEXT';
  const name = p.value.trim().toUpperCase();
  if (!(SECURITY_PROTOCOLS as readonly string[]).includes(name)) throw new ConfigError(`${p.source}: security.protocol must be one of ${SECURITY_PROTOCOLS.join(', ')}, got "${p.value}"`);
  return name as SecurityProtocol;
}

function saslOf(s: Map<Known, Property>, protocol: SecurityProtocol): ClientSaslOptions {
  const mechanismSetting = s.get('sasl.mechanism');
  if (mechanismSetting === undefined) throw new ConfigError(`security.protocol ${protocol} needs sasl.mechanism: one of ${SASL_MECHANISMS.join(', ')}`);
  const mechanism = mechanismSetting.value.trim().toUpperCase() as SaslMechanism;
  if (!SASL_MECHANISMS.includes(mechanism)) throw new ConfigError(`${mechanismSetting.source}: sasl.mechanism must be one of ${SASL_MECHANISMS.join(', ')}, got "${mechanismSetting.value}"`);
  const jaasSetting = s.get('sasl.jaas.config');
  const direct = s.get('sasl.username') ?? s.get('sasl.password');
  if (jaasSetting && direct) throw new ConfigError(`${direct.source}: give the user either in sasl.jaas.config (${jaasSetting.source}) or in sasl.username and sasl.password, not both`);
  if (jaasSetting) {
    const jaas = parseJaas(jaasSetting);
    if ((jaas.module === 'plain') !== (mechanism === 'PLAIN')) throw new ConfigError(`${jaasSetting.source}: sasl.mechanism ${mechanism} needs ${mechanism === 'PLAIN' ? 'PlainLoginModule' : 'ScramLoginModule'} in sasl.jaas.config`);
    return { mechanism, username: jaas.username, password: jaas.password };
  }
  const username = s.get('sasl.username')?.value;
  const password = s.get('sasl.password')?.value;
  if (!username || password === undefined) throw new ConfigError(`security.protocol ${protocol} needs the user: sasl.username and sasl.password, or sasl.jaas.config`);
  return { mechanism, username, password };
}

/**
 * The client's TLS and SASL options from `file` (--command-config) and the
 * environment; none for PLAINTEXT. Throws ConfigError naming the line or
 * variable of a setting it cannot use.
 */
export function readClientSecurity(file: string | undefined, env: NodeJS.ProcessEnv): ClientSecurity {
  const settings = collect(file, env);
  const protocol = protocolOf(settings.get('security.protocol'));
  for (const p of settings.values()) {
    const unused = (p.key.startsWith('sasl.') && !usesSasl(protocol)) || (p.key.startsWith('ssl.') && !usesTls(protocol));
    if (unused) throw new ConfigError(`${p.source}: ${p.key} is not used with security.protocol ${protocol}; ${p.key.startsWith('sasl.') ? 'SASL_PLAINTEXT or SASL_SSL' : 'SSL or SASL_SSL'} uses it`);
  }
  const security: ClientSecurity = {};
  if (usesTls(protocol)) {
    security.tls = { ca: readPem(settings.get('ssl.ca.location')), cert: readPem(settings.get('ssl.certificate.location')), key: readPem(settings.get('ssl.key.location')) };
  }
  if (usesSasl(protocol)) security.sasl = saslOf(settings, protocol);
  return security;
}
