#!/usr/bin/env bash
# Install the Debian packages the tests need, if missing: chromium (browser tests, which
# run with the network blocked), postgresql (a real server for the shared-dataset store)
# and nginx (the load balancer of the hosted topology, tests/hosted/).
# The tests start their own PostgreSQL and nginx on free loopback ports, so the system
# services these packages bring are not started (policy-rc.d) or are stopped again.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || need+=(postgresql)
[ -x /usr/sbin/nginx ] || need+=(nginx)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${need[*]}. Install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
fi
trap '[ "$own_policy" -eq 0 ] || rm -f "$policy"' EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
if [[ " ${need[*]} " == *" nginx "* ]] && command -v service >/dev/null; then
  service nginx stop >/dev/null 2>&1 || true  # where a policy allowed it to start on port 80
fi
