#!/usr/bin/env bash
# Deploys an overlay with kubectl, the migration first:
#   deploy/k8s/deploy.sh OVERLAY [IMAGE]      e.g. deploy/k8s/deploy.sh prod registry/orion@sha256:...
#   CANARY=1 deploy/k8s/deploy.sh mesh IMAGE  the mesh's canary only (docs/runbook.md, "Deploy")
# 1. renders the overlay, with IMAGE in Orion's containers when given (the canary's alone
#    with CANARY=1);
# 2. applies what the roles need: what is not Orion's (the namespace; dev's PostgreSQL,
#    RabbitMQ and Redis, waited for) and Orion's objects that run nothing (settings, secrets,
#    service account, network policies: those without a component label);
# 3. applies the migration Job alone (after deleting the last one: a Job's pods are fixed)
#    and waits for it to complete: the schema is expanded while the old release serves;
# 4. applies the roles, and waits for each Deployment's rollout (maxUnavailable 0).
# A failed migration stops here: nothing else has changed. docs/runbook.md says more.
set -euo pipefail
overlay=${1:?usage: deploy.sh OVERLAY [IMAGE]}
here=$(cd "$(dirname "$0")" && pwd)
KUBECTL=${KUBECTL:-kubectl}
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
cp -r "$here/." "$workdir/"
# the release: the overlay, with IMAGE in Orion's containers (every role's, or the canary's)
mkdir "$workdir/release"
targets='orion-.*'
if [ -n "${CANARY:-}" ]; then targets=orion-api-canary; fi
{
  echo "resources: [../overlays/$overlay]"
  if [ -n "${2:-}" ]; then
    echo "patches:"
    echo "  - target: {kind: (Deployment|Job), name: \"$targets\"}"
    echo "    patch: '[{\"op\": \"replace\", \"path\": \"/spec/template/spec/containers/0/image\", \"value\": \"$2\"}]'"
  fi
} >"$workdir/release/kustomization.yaml"
"$KUBECTL" kustomize "$workdir/release" >"$workdir/rendered.yaml"
namespace=$(sed -n 's/^  namespace: //p' "$workdir/rendered.yaml" | head -n1)

"$KUBECTL" apply --server-side -f "$workdir/rendered.yaml" --selector 'app.kubernetes.io/part-of!=orion'
"$KUBECTL" apply --server-side -f "$workdir/rendered.yaml" --selector '!app.kubernetes.io/component'
for statefulset in $("$KUBECTL" -n "$namespace" get statefulsets -o name); do
  "$KUBECTL" -n "$namespace" rollout status "$statefulset" --timeout=600s
done
"$KUBECTL" -n "$namespace" delete job orion-migrate --ignore-not-found --wait=true
"$KUBECTL" apply --server-side -f "$workdir/rendered.yaml" --selector app.kubernetes.io/component=migrate
"$KUBECTL" -n "$namespace" wait --for=condition=complete job/orion-migrate --timeout=600s
"$KUBECTL" apply --server-side -f "$workdir/rendered.yaml" \
  --selector 'app.kubernetes.io/component,app.kubernetes.io/component notin (migrate)'
for deployment in $("$KUBECTL" -n "$namespace" get deployments -l app.kubernetes.io/part-of=orion -o name); do
  "$KUBECTL" -n "$namespace" rollout status "$deployment" --timeout=600s
done
