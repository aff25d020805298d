#!/usr/bin/env bash
# Builds the base image of Orion's Dockerfile from Debian's packages alone, for a machine or
# an air-gapped site that cannot pull public images: debootstrap (Debian 12, minbase) with
# python3 3.11, python3-venv and ca-certificates, security updates applied, then
# `docker import`. The machine's own certificate authorities (/usr/local/share/ca-certificates,
# e.g. a site's TLS-inspecting proxy) are trusted inside, so builds reach the package indexes
# as the machine does.
#
#   deploy/docker/base-image.sh            # builds $ORION_BASE_IMAGE unless it exists
#   FORCE=1 deploy/docker/base-image.sh    # builds it again
#   docker build --build-arg BASE_IMAGE=orion-base:bookworm .
#
# MIRROR (default http://deb.debian.org/debian) and SECURITY_MIRROR may point at a site's
# own Debian mirror.
set -euo pipefail
IMAGE=${ORION_BASE_IMAGE:-orion-base:bookworm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}

if [ -z "${FORCE:-}" ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  exit 0
fi
echo "deploy: building the base image $IMAGE with debootstrap (a few minutes)" >&2
root=$(mktemp -d /var/tmp/orion-base.XXXXXX)
log=$root.log
trap 'umount -l "$root/proc" 2>/dev/null || true; rm -rf "$root" "$log"' EXIT
trap 'tail -30 "$log" >&2' ERR
chmod 755 "$root"  # apt's _apt user reads its downloads from there

debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
  bookworm "$root" "$MIRROR" >"$log" 2>&1

cat >"$root/etc/apt/sources.list" <<SOURCES
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $SECURITY_MIRROR bookworm-security main
SOURCES
cp /etc/resolv.conf "$root/etc/resolv.conf"
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
fi
mount -t proc proc "$root/proc"
chroot "$root" /bin/sh -ec '
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get upgrade -y -qq >/dev/null
  update-ca-certificates >/dev/null
  apt-get clean
' >>"$log" 2>&1
umount "$root/proc"
# what an image needs not carry: package lists, caches, docs, the build machine's resolver
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/usr/share/doc/* \
  "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log "$root"/tmp/*
: >"$root/etc/resolv.conf"

tar --numeric-owner -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  --message "Debian 12 minbase with python3, from debootstrap (deploy/docker/base-image.sh)" \
  - "$IMAGE" >/dev/null
echo "deploy: $IMAGE built ($(docker image inspect -f '{{.Size}}' "$IMAGE" | numfmt --to=iec))" >&2
