#!/usr/bin/env bash
# Install the Debian packages the test suite uses (headless Chromium for browser tests,
# PostgreSQL for the second database backend) when they are missing. Needs root or sudo;
# without either, the tests that need them skip with a message saying so.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/lib/postgresql/15/bin/postgres ] || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "sysdeps: not root; skipping install of ${need[*]} (tests needing them will skip)"; exit 0; fi
fi
echo "sysdeps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
  || echo "sysdeps: apt-get failed; tests needing ${need[*]} will skip"
exit 0
