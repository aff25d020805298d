#!/usr/bin/env bash
# Prepares deploy/compose for `docker compose up`: .env from .env.example, the secrets as
# files in secrets/ (random passwords, and the URLs and configs that carry them), and, unless
# tls/ holds a certificate already, a development CA and a certificate for localhost signed by
# it (trust tls/ca.pem in your browser or `curl --cacert`). Keeps what exists: run it again
# safely. Needs openssl.
set -euo pipefail
cd "$(dirname "$0")"
secrets=${ORION_SECRETS_DIR:-./secrets}
tls=${ORION_TLS_DIR:-./tls}

[ -f .env ] || cp .env.example .env

random() { openssl rand -hex 24; }
write() { # name, value: a secret file nobody else on the host reads, the containers can
  [ -f "$secrets/$1" ] && return 0
  printf '%s\n' "$2" >"$secrets/$1"
  chmod 0644 "$secrets/$1"  # the directory (0700) keeps other users out
}
mkdir -p "$secrets"
chmod 0700 "$secrets"
if [ ! -f "$secrets/postgres_password" ]; then
  postgres=$(random)
  write postgres_password "$postgres"
  write database_url "postgresql://orion:$postgres@postgres:5432/orion"
fi
if [ ! -f "$secrets/rabbitmq.conf" ]; then
  rabbitmq=$(random)
  write rabbitmq.conf "$(printf 'default_user = orion\ndefault_pass = %s\ndefault_vhost = orion' "$rabbitmq")"
  write broker_url "amqp://orion:$rabbitmq@rabbitmq:5672/orion"
fi
if [ ! -f "$secrets/redis.conf" ]; then
  redis=$(random)
  write redis.conf "$(printf 'requirepass %s\nsave ""\nappendonly no' "$redis")"
  write redis_url "redis://:$redis@redis:6379/0"
fi
write jwt_keys "$(date +%Y%m):$(openssl rand -hex 32)"
write grafana_admin_password "$(random)"

if [ ! -f "$tls/fullchain.pem" ]; then
  mkdir -p "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=Orion development CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$tls/privkey.pem" -out "$tls/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$tls/ext.cnf"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
    -CAcreateserial -days 825 -extfile "$tls/ext.cnf" -out "$tls/server.pem" 2>/dev/null
  cat "$tls/server.pem" "$tls/ca.pem" >"$tls/fullchain.pem"
  cp "$tls/ca.pem" "$tls/chain.pem"
  rm -f "$tls/server.csr" "$tls/ext.cnf" "$tls/ca.srl" "$tls/server.pem"
  chmod 0600 "$tls/privkey.pem" "$tls/ca.key"  # nginx reads it as root, in its container
fi
echo "deploy/compose: .env, $secrets/ and $tls/ ready; trust $tls/ca.pem for https://localhost"
