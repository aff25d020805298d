#!/usr/bin/env bash
# Builds Orion's image from the Dockerfile at the root, its OCI labels from pyproject.toml
# and git, and prints its size.
#   deploy/docker/build.sh [TAG]                                 # default orion:<version>
#   BASE_IMAGE=orion-base:bookworm deploy/docker/build.sh        # the Debian-built base
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1)
tag=${1:-orion:$version}
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then revision="$revision-dirty"; fi
source=$(git config --get remote.origin.url 2>/dev/null || echo unknown)
args=(--build-arg "VERSION=$version" --build-arg "REVISION=$revision" --build-arg "SOURCE=$source")
if [ -n "${BASE_IMAGE:-}" ]; then args+=(--build-arg "BASE_IMAGE=$BASE_IMAGE"); fi
docker build --quiet "${args[@]}" --tag "$tag" . >/dev/null
echo "deploy: built $tag ($(docker image inspect -f '{{.Size}}' "$tag" | numfmt --to=iec) on ${BASE_IMAGE:-the default base})" >&2
