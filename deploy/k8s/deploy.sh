#!/usr/bin/env bash
# Deploys an overlay with kubectl, the migration first:
#   deploy/k8s/deploy.sh OVERLAY [IMAGE]      e.g. deploy/k8s/deploy.sh prod registry/orion@sha256:...
# 1. renders the overlay (with IMAGE as Orion's image when given);
# 2. applies the migration Job alone (after deleting the last one: a Job's pods are fixed)
#    and waits for it to complete: the schema is expanded while the old release serves;
# 3. applies everything else, and waits for each Deployment's rollout (maxUnavailable 0).
# A failed migration stops here: nothing else has changed. docs/runbook.md says more.
set -euo pipefail
overlay=${1:?usage: deploy.sh OVERLAY [IMAGE]}
here=$(cd "$(dirname "$0")" && pwd)
KUBECTL=${KUBECTL:-kubectl}
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
cp -r "$here/." "$workdir/"
if [ -n "${2:-}" ]; then
  (cd "$workdir/overlays/$overlay" && "$KUBECTL" kustomize edit set image "orion=$2" 2>/dev/null) \
    || { echo "deploy: cannot set the image (kustomize edit needs kubectl 1.27+ or kustomize)" >&2; exit 1; }
fi
"$KUBECTL" kustomize "$workdir/overlays/$overlay" >"$workdir/rendered.yaml"
namespace=$(sed -n 's/^  namespace: //p' "$workdir/rendered.yaml" | head -n1)

"$KUBECTL" apply --server-side -f "$workdir/rendered.yaml" --selector 'app.kubernetes.io/component notin (migrate)' \
  --dry-run=server >/dev/null  # the whole release is accepted by the API server before anything changes
"$KUBECTL" -n "$namespace" delete job orion-migrate --ignore-not-found --wait=true
"$KUBECTL" apply --server-side -f "$workdir/rendered.yaml" --selector app.kubernetes.io/component=migrate
"$KUBECTL" -n "$namespace" wait --for=condition=complete job/orion-migrate --timeout=600s
"$KUBECTL" apply --server-side -f "$workdir/rendered.yaml" --selector 'app.kubernetes.io/component notin (migrate)'
for deployment in $("$KUBECTL" -n "$namespace" get deployments -l app.kubernetes.io/part-of=orion -o name); do
  "$KUBECTL" -n "$namespace" rollout status "$deployment" --timeout=600s
done
