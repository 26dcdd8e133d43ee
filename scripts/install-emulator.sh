#!/usr/bin/env bash
# Installs the AWS emulator used by tests and `npm start`: moto's server, pinned,
# in a project-local virtual environment (.emulator/venv). Idempotent and quiet
# when the pinned version is already there.
set -euo pipefail

MOTO_VERSION="5.2.5"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.emulator/venv"
stamp="$venv/.moto-$MOTO_VERSION"

if [ -f "$stamp" ] && [ -x "$venv/bin/moto_server" ]; then
  exit 0
fi

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "install-emulator: $python was not found; install Python 3.9+ or set PYTHON to its path." >&2
  exit 1
fi

echo "install-emulator: installing moto[server]==$MOTO_VERSION into $venv"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
touch "$stamp"
