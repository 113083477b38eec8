#!/usr/bin/env bash
# Build the stand-in images for the docker sandbox from Debian's packages, for machines that cannot
# pull moodlehq/moodle-php-apache or postgres (CI, and anywhere Docker Hub is out of reach):
#   moodle-provisioner/debian:bookworm     a debootstrap'd base (debootstrap --variant=minbase)
#   moodle-provisioner/php-apache:8.2      Apache + mod_php 8.2 + Moodle's extensions
#   moodle-provisioner/postgres:15         PostgreSQL 15 behaving like the official image
# An image already present and built from the same files is kept (about 6-7 minutes from nothing,
# seconds after): --force rebuilds.
# Use them with `provisioner sandbox up --engine docker --php-image ... --db-image ...`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
base=moodle-provisioner/debian:bookworm
php=moodle-provisioner/php-apache:8.2
db=moodle-provisioner/postgres:15
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
force=false; [ "${1:-}" = --force ] && force=true

present() { ! $force && docker image inspect "$1" >/dev/null 2>&1; }

if ! present "$base"; then
  command -v debootstrap >/dev/null || { echo "debootstrap is needed: apt-get install debootstrap" >&2; exit 1; }
  root="$(mktemp -d)"
  trap 'rm -rf "$root"' EXIT
  echo "building $base with debootstrap from $mirror"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' - "$base" >/dev/null
fi
# An image is built again when its folder changed since it was built (the label holds the folder's hash).
label=moodle-provisioner.standin-source
for image in "$php:php-apache" "$db:postgres"; do
  tag="${image%:*}"; folder="${image##*:}"
  source=$(cd "$here/$folder" && cat $(ls) | sha256sum | cut -c1-16)
  built=$(docker image inspect -f "{{ index .Config.Labels \"$label\" }}" "$tag" 2>/dev/null || true)
  present "$tag" && [ "$built" = "$source" ] && continue
  echo "building $tag"
  docker build -q --build-arg "BASE=$base" --label "$label=$source" -t "$tag" "$here/$folder" >/dev/null
done
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^moodle-provisioner/'
