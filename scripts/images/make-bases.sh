#!/usr/bin/env bash
# Makes, without any registry, the two images the Dockerfiles take as raw material, and prints
# them as build args (NAME=image, one a line) for scripts/images/build.mjs:
#   DEBIAN_IMAGE    localhost/keptn-task-base/debian:trixie
#                   a Debian 13 (trixie) minbase made by debootstrap from the Debian mirror;
#                   the Dockerfiles only run apt-get download and dpkg -x in it.
#   DENO_BIN_IMAGE  localhost/keptn-task-base/deno-bin:<version>
#                   the npm Deno binary at /deno, like denoland/deno:bin-<version>.
# An image already present under its tag is reused; pass --force to make both again.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$repo/images/containers.conf}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
force=${1:-}

log() { echo "make-bases: $*" >&2; }
fresh() { [[ $force == --force ]] || ! podman image exists "$1"; }

suite=trixie
debian_image=localhost/keptn-task-base/debian:$suite
if fresh "$debian_image"; then
  command -v debootstrap >/dev/null || { log "debootstrap is missing: run scripts/images/setup-podman.sh"; exit 1; }
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  log "debootstrap $suite from $mirror"
  start=$SECONDS
  debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.log" 2>&1 ||
    { tail -20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
  rm -f "$root.log" "$root"/etc/apt/sources.list
  # debootstrap writes only $suite main; the pinned versions also come from updates and security.
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" --numeric-owner -c . | podman import --quiet --change 'CMD ["/bin/bash"]' - "$debian_image" >/dev/null
  rm -rf "$root"
  trap - EXIT
  log "made $debian_image in $((SECONDS - start)) s"
fi

deno=$repo/node_modules/@deno/linux-x64-glibc/deno
want=$(node -p "require('$repo/runners/package.json').dependencies.deno")
[[ -x $deno ]] || { log "cannot find the Deno binary at $deno: run npm ci"; exit 1; }
have=$("$deno" --version | sed -n 's/^deno \([^ ]*\).*/\1/p')
if [[ $have != "$want" ]]; then
  log "the npm Deno binary is $have but package.json pins $want (runners/package.json): run npm ci"
  exit 1
fi
deno_image=localhost/keptn-task-base/deno-bin:$want
if fresh "$deno_image"; then
  dir=$(mktemp -d)
  install -m 0755 "$deno" "$dir/deno"
  tar -C "$dir" --owner=0 --group=0 --numeric-owner -c deno |
    podman import --quiet --change "ENV DENO_VERSION=$want" - "$deno_image" >/dev/null
  rm -rf "$dir"
  log "made $deno_image"
fi

echo "DEBIAN_IMAGE=$debian_image"
echo "DENO_BIN_IMAGE=$deno_image"
