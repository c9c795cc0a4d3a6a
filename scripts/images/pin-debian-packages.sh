#!/usr/bin/env bash
# Rewrites images/*/debian-packages.txt (and those of images/extending/*, the derived images, and
# of bench/keptn-images/*, what the bench's Keptn-equivalent images add) with the versions the
# Debian mirror serves now (Debian drops superseded versions, so a pinned build fails once the
# mirror moves on; the Dockerfiles say so and point here). Checks that each version exists for
# arm64 too, as users' CI builds both. Runs apt in the local Debian build image (make-bases.sh),
# not on this machine.
#
#   bash scripts/images/pin-debian-packages.sh && git diff images/
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$repo/images/containers.conf}
debian_image=$(bash "$repo/scripts/images/make-bases.sh" | sed -n 's/^DEBIAN_IMAGE=//p')

names=$(cat "$repo"/images/*/debian-packages.txt "$repo"/images/extending/*/debian-packages.txt "$repo"/bench/keptn-images/*/debian-packages.txt | sed -e 's/#.*//' -e 's/=.*//' -e '/^[[:space:]]*$/d' | sort -u)
# shellcheck disable=SC2016 # expanded in the container
pins=$(podman run --rm -e NAMES="$names" "$debian_image" bash -c '
  set -eu
  dpkg --add-architecture arm64
  apt-get update -qq >/dev/null
  candidate() { apt-cache policy "$1" | sed -n "s/^ *Candidate: //p"; }
  for name in $NAMES; do
    amd64=$(candidate "$name:amd64")
    [ -n "$amd64" ] && [ "$amd64" != "(none)" ] || { echo "no amd64 version of $name" >&2; exit 1; }
    arm64=$(candidate "$name:arm64")
    # Architecture "all" packages have no :arm64 entry; the same file serves both.
    if [ -n "$arm64" ] && [ "$arm64" != "(none)" ] && [ "$arm64" != "$amd64" ]; then
      echo "$name is $amd64 on amd64 but $arm64 on arm64" >&2; exit 1
    fi
    echo "$name=$amd64"
  done')

for file in "$repo"/images/*/debian-packages.txt "$repo"/images/extending/*/debian-packages.txt "$repo"/bench/keptn-images/*/debian-packages.txt; do
  tmp=$(mktemp)
  while IFS= read -r line; do
    name=${line%%=*}
    if [[ $line == \#* || -z $line ]]; then
      echo "$line"
    else
      grep -m1 "^$name=" <<<"$pins"
    fi
  done <"$file" >"$tmp"
  if cmp -s "$tmp" "$file"; then rm "$tmp"; else mv "$tmp" "$file"; echo "pinned anew: ${file#"$repo"/}"; fi
done
