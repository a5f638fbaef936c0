#!/usr/bin/env bash
# Installs the local S3 API server (npm s3rver, pinned by tools/s3rver/package-lock.json) that the S3 object store
# tests start themselves. Idempotent: does nothing when the installed tree matches the lock file.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=tools/s3rver
if ! command -v npm >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "s3rver: npm is missing; installing Debian's nodejs and npm"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "s3rver: npm is not installed; install Node.js (apt-get install -y nodejs npm)" >&2
    exit 1
  fi
fi
if [ -f "$dir/node_modules/s3rver/bin/s3rver.js" ] && [ -f "$dir/node_modules/.package-lock.json" ] \
   && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
  exit 0
fi
npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
echo "s3rver: installed $(node "$dir/node_modules/s3rver/bin/s3rver.js" --version)"
