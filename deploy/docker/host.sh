#!/usr/bin/env bash
# Makes this machine ready to build and run Orion's containers, from Debian's packages:
# Docker's daemon (docker.io), docker-compose 1.29, nginx (the gateway the tests run on
# loopback), debootstrap (for the base image); starts dockerd when it is not answering; then
# builds the base image (deploy/docker/base-image.sh) when it is missing.
# Idempotent and quick when everything is there. Run as root. .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  echo "deploy: installing ${missing[*]} from Debian's packages" >&2
  # No service may start from a package's install script: the tests start their own nginx,
  # and dockerd is started below. policy-rc.d says so to invoke-rc.d (exit 101: forbidden).
  made_policy=false
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    made_policy=true
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
  if $made_policy; then rm -f /usr/sbin/policy-rc.d; fi
fi

if ! docker info >/dev/null 2>&1; then
  echo "deploy: starting dockerd (log: /var/log/orion-dockerd.log)" >&2
  # setsid: the daemon outlives this script and the shell that ran it, as PostgreSQL does
  setsid dockerd --pidfile /run/orion-dockerd.pid >>/var/log/orion-dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then break; fi
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "deploy: dockerd did not come up" >&2; tail -20 /var/log/orion-dockerd.log >&2; exit 1; }
fi

deploy/docker/base-image.sh
