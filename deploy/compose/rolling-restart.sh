#!/usr/bin/env bash
# Replaces the compose stack's Orion containers one at a time with the current image (build or
# pull it first), losing nothing and refusing no read:
#   1. migrations first (`orion migrate`; written expand-then-contract, so the old and the new
#      version run side by side on them);
#   2. each service in turn: its container is stopped with SIGTERM (Orion drains: readiness
#      503, consumers finish their messages, the relay its pass, the API its requests) and a
#      new one started; the next waits until it is ready;
#   3. after an API instance, the gateway reloads (it learns the new container's address) and
#      the script waits out the gateway's fail_timeout (deploy/nginx/orion/upstream.conf), so
#      that one instance always serves.
# The gateway retries a read or a checkout that failed on the instance going away on the other.
#
#   deploy/compose/rolling-restart.sh                 # every Orion service
#   deploy/compose/rolling-restart.sh api-1 api-2     # these only
# COMPOSE overrides the command (default `docker compose`, else `docker-compose`); the usual
# COMPOSE_PROJECT_NAME and COMPOSE_FILE variables choose the stack.
set -euo pipefail
cd "$(dirname "$0")"
if [ -n "${COMPOSE:-}" ]; then
  read -ra compose <<<"$COMPOSE"
elif docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  compose=(docker-compose)
fi
services=("$@")
if [ ${#services[@]} -eq 0 ]; then
  services=(api-1 api-2 relay-1 relay-2 worker-catalog worker-payments worker-notifications)
fi
settle_s=${SETTLE_S:-6}  # the gateway's fail_timeout (5 s) and a second
ready_within_s=${READY_WITHIN_S:-90}

container() { "${compose[@]}" ps --quiet "$1"; }

wait_ready() { # service: its /health/ready answers 200 (serve's port, or a worker's 9100)
  local port=9100 id
  case $1 in api-*) port=8000 ;; esac
  local probe="import urllib.request as u; u.urlopen('http://127.0.0.1:$port/health/ready', timeout=2)"
  id=$(container "$1")
  for _ in $(seq 1 "$((ready_within_s * 4))"); do
    if docker exec "$id" python -c "$probe" >/dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  echo "rolling-restart: $1 not ready in ${ready_within_s} s; stopping here" >&2
  return 1
}

echo "rolling-restart: migrations" >&2
migrated=$("${compose[@]}" run --rm -T migrate 2>&1) || { echo "$migrated" >&2; exit 1; }
for service in "${services[@]}"; do
  echo "rolling-restart: $service" >&2
  "${compose[@]}" up -d --no-deps --force-recreate "$service" 2>/dev/null
  wait_ready "$service"
  case $service in
    api-*)
      docker exec "$(container gateway)" nginx -s reload 2>/dev/null
      sleep "$settle_s"
      ;;
  esac
done
echo "rolling-restart: done" >&2
