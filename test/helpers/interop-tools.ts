// The programs written by others that the interop tests drive, and what a
// test does when one is missing. On a machine without them a test file is
// reported as skipped, with the command that installs the tool; with
// SLUICE_REQUIRE_INTEROP=1 (set by .ci/run after installing them) a missing
// tool fails the file instead, so nothing is skipped in CI.
//
//   describe('kcat', skipUnless(kcat), () => { ... });
//   test('...', skipUnless(kcat, confluentPython), async (t) => { ... });

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface InteropTool {
  name: string;
  /** The command that makes the tool available. */
  install: string;
  isAvailable(): boolean;
}

/** @confluentinc/kafka-javascript release whose bundled librdkafka the tests build and load. */
export const KAFKA_JAVASCRIPT_VERSION = '1.10.1';

/** Where `npm run setup:librdkafka` builds @confluentinc/kafka-javascript (an npm prefix). */
export function kafkaJavascriptPrefix(): string {
  const cacheRoot = process.env.SLUICE_INTEROP_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'sluice');
  return path.join(cacheRoot, `kafka-javascript-${KAFKA_JAVASCRIPT_VERSION}`);
}

function once(check: () => boolean): () => boolean {
  let known: boolean | undefined;
  return () => (known ??= check());
}

export const KCAT = '/usr/bin/kcat';
/** Debian's interpreter: the only one that can import Debian's confluent_kafka. */
export const PYTHON = '/usr/bin/python3';

/** kcat (librdkafka 2.0.2) from Debian. */
export const kcat: InteropTool = {
  name: 'kcat',
  install: 'apt-get install -y kcat',
  isAvailable: once(() => fs.existsSync(KCAT)),
};

/** confluent-kafka-python (librdkafka 2.0.2) from Debian. */
export const confluentPython: InteropTool = {
  name: 'confluent-kafka-python',
  install: 'apt-get install -y python3-confluent-kafka',
  isAvailable: once(() => spawnSync(PYTHON, ['-c', 'import confluent_kafka'], { stdio: 'ignore' }).status === 0),
};

/** openssl, which TLS and SASL tests make their certificates with. */
export const openssl: InteropTool = {
  name: 'openssl',
  install: 'apt-get install -y openssl',
  isAvailable: once(() => spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0),
};

export const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, which the web console's tests drive headless (playwright-core). */
export const chromium: InteropTool = {
  name: 'chromium',
  install: 'apt-get install -y chromium chromium-driver',
  isAvailable: once(() => fs.existsSync(CHROMIUM)),
};

/** @confluentinc/kafka-javascript on librdkafka 2.15, built from its bundled C sources into a cache. */
export const kafkaJavascript: InteropTool = {
  name: `@confluentinc/kafka-javascript ${KAFKA_JAVASCRIPT_VERSION} (librdkafka 2.15)`,
  install: 'npm run setup:librdkafka',
  isAvailable: once(() => {
    try {
      loadKafkaJavascript();
      return true;
    } catch {
      return false;
    }
  }),
};

/**
 * The kafka-javascript module (its KafkaJS-compatible API under `.KafkaJS`,
 * its node-rdkafka API at the top level). Typed loosely: the package is not
 * a dependency of the project, only a test tool in a cache.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadKafkaJavascript(): any {
  const requireFromCache = createRequire(path.join(kafkaJavascriptPrefix(), 'package.json'));
  return requireFromCache('@confluentinc/kafka-javascript');
}

/**
 * Options for node:test's `test`/`describe`: skipped with the install command
 * when a tool is missing, unless SLUICE_REQUIRE_INTEROP=1, where a missing tool
 * throws (failing the file) instead.
 */
export function skipUnless(...tools: InteropTool[]): { skip?: string } {
  const missing = tools.filter((tool) => !tool.isAvailable());
  if (missing.length === 0) return {};
  const how = missing.map((tool) => `${tool.name} (install: ${tool.install})`).join(', ');
  if (process.env.SLUICE_REQUIRE_INTEROP === '1') {
    throw new Error(`SLUICE_REQUIRE_INTEROP=1 but these interop tools are missing: ${how}`);
  }
  return { skip: `needs ${how}` };
}

/** The librdkafka 2.15 build inside the kafka-javascript cache: its headers and shared library. */
function librdkafkaBuild(): { include: string; lib: string } {
  const pkg = path.join(kafkaJavascriptPrefix(), 'node_modules', '@confluentinc', 'kafka-javascript');
  return { include: path.join(pkg, 'deps', 'librdkafka', 'src'), lib: path.join(pkg, 'build', 'deps') };
}

/** Whether `npm run setup:librdkafka` has built the headers and library C programs compile against. */
export function librdkafkaBuilt(): boolean {
  const { include, lib } = librdkafkaBuild();
  return fs.existsSync(path.join(include, 'rdkafka.h')) && fs.existsSync(path.join(lib, 'librdkafka.so'));
}

/**
 * Compiles the C program `test/interop/c/<name>.c` against librdkafka 2.15
 * (for APIs only its C interface has, such as the share consumer) into the
 * cache, once per version of the source; returns the executable's path.
 */
export function buildLibrdkafkaProgram(name: string): string {
  return compileLibrdkafkaProgram(fileURLToPath(new URL(`../../../test/interop/c/${name}.c`, import.meta.url)));
}

/** Compiles the C program at `source` against librdkafka 2.15 into the cache (see buildLibrdkafkaProgram). */
export function compileLibrdkafkaProgram(source: string): string {
  const text = fs.readFileSync(source);
  const out = path.join(kafkaJavascriptPrefix(), 'programs', `${path.basename(source, '.c')}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`);
  if (fs.existsSync(out)) return out;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const { include, lib } = librdkafkaBuild();
  const cc = spawnSync('cc', ['-O1', '-Wall', '-o', `${out}.tmp`, source, `-I${include}`, `-L${lib}`, '-lrdkafka', `-Wl,-rpath,${lib}`], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`compiling ${source} failed:\n${cc.stderr}`);
  fs.renameSync(`${out}.tmp`, out);
  return out;
}
