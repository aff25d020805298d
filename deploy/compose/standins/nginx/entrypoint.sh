#!/bin/sh
# What the official nginx image does before nginx starts: each /etc/nginx/templates/*.template
# filled from the environment (the variables that are set, nothing else) into
# NGINX_ENVSUBST_OUTPUT_DIR (default /etc/nginx/conf.d), named without .template.
set -eu
output=${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}
defined=$(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/${\1}/p' | tr '\n' ' ')
mkdir -p "$output"
for template in /etc/nginx/templates/*.template; do
  [ -e "$template" ] || continue
  envsubst "$defined" <"$template" >"$output/$(basename "$template" .template)"
done
exec "$@"
