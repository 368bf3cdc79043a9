#!/usr/bin/env bash
# Builds @confluentinc/kafka-javascript (librdkafka 2.15 from the C sources the
# npm package ships) into a cache that the interop tests load from. It is a
# test tool, not a dependency: `npm install` of Sluice never builds it.
# The first run compiles for about 5 minutes; later runs find the cache.
# CKJS_LINKING=dynamic builds the bundled librdkafka instead of the static
# build, which would download zlib.
set -euo pipefail

version=1.10.1 # keep in step with KAFKA_JAVASCRIPT_VERSION in test/helpers/interop-tools.ts
cache_root="${SLUICE_INTEROP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice}"
prefix="$cache_root/kafka-javascript-$version"
module="$prefix/node_modules/@confluentinc/kafka-javascript"

loads() {
  node -e "const m = require(process.argv[1]); console.log('librdkafka ' + m.librdkafkaVersion + ' (' + m.features.join(', ') + ')')" "$module"
}

# librdkafka's configure finds zstd only when its headers are installed.
warn_without_zstd() {
  if ! loads | grep -q zstd; then
    echo "warning: this build lacks zstd: apt-get install -y libzstd-dev, then rm -rf '$prefix' and run this again" >&2
  fi
}

if [ -d "$module" ] && loads >/dev/null 2>&1; then
  echo "kafka-javascript $version already built in $prefix: $(loads)"
  warn_without_zstd
  exit 0
fi

mkdir -p "$prefix"
[ -f "$prefix/package.json" ] || echo '{ "private": true }' > "$prefix/package.json"
echo "building kafka-javascript $version with librdkafka from source in $prefix (about 5 minutes; compiler output follows)"
start=$(date +%s)
CKJS_LINKING=dynamic npm install --prefix "$prefix" --no-audit --no-fund --no-save --foreground-scripts \
  "@confluentinc/kafka-javascript@$version"
echo "built in $(( $(date +%s) - start )) s: $(loads)"
warn_without_zstd
