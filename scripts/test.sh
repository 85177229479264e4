#!/usr/bin/env bash
# Installs what the tests need (runc, crun, busybox-static, and systemd for systemd-socket-activate and
# systemd-analyze, from apt) when it is missing, then builds and runs
# every test. Tests that need root or one of these tools fail when CI=true and they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v runc >/dev/null 2>&1 || missing+=(runc)
command -v crun >/dev/null 2>&1 || missing+=(crun)
[ -x /bin/busybox ] || missing+=(busybox-static)
command -v systemd-socket-activate >/dev/null 2>&1 || missing+=(systemd)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "scripts/test.sh: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "scripts/test.sh: ${missing[*]} missing; run as root to install them (tests that need them will be skipped)" >&2
  fi
fi

dotnet test Pluggable.sln -c Release "$@"
