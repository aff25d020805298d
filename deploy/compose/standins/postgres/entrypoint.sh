#!/bin/sh
# First start: a cluster with POSTGRES_USER (password from POSTGRES_PASSWORD_FILE, scram over
# the network) and POSTGRES_DB, as the official image makes it. Then the given command.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initdb --username="$POSTGRES_USER" --pwfile="$POSTGRES_PASSWORD_FILE" \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  pg_ctl --wait --options="-c listen_addresses=''" start >/dev/null
  database=${POSTGRES_DB:-$POSTGRES_USER}
  if [ "$database" != postgres ]; then
    createdb --username="$POSTGRES_USER" "$database"
  fi
  pg_ctl --wait --mode=fast stop >/dev/null
fi
exec "$@"
