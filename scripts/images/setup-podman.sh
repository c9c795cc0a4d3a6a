#!/usr/bin/env bash
# Makes podman usable on this project's machines (Debian 12, root, no Docker engine, no registry).
# Idempotent: installs only what is missing, then checks that podman runs containers with the
# repository's settings. .ci/run calls it before `npm run images` and `npm run test:images`.
#
#   bash scripts/images/setup-podman.sh
#
# Everything else is set per command, never in /etc: the scripts export
#   CONTAINERS_CONF=<repo>/images/containers.conf
# (runc instead of crun, and rlimits the sandbox accepts; see that file).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$repo/images/containers.conf}

# command -> Debian package. debootstrap makes the local Debian build image (make-bases.sh);
# catatonit (a podman recommendation) is what `podman kube play` runs in the pod's infra container.
declare -A packages=(
  [podman]=podman
  [buildah]=buildah
  [runc]=runc
  [debootstrap]=debootstrap
  [catatonit]=catatonit
)
missing=()
for cmd in "${!packages[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || [[ -x /usr/libexec/podman/$cmd ]] || missing+=("${packages[$cmd]}")
done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup-podman: cannot install ${missing[*]}: run as root" >&2
    exit 1
  fi
  echo "setup-podman: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# A container that starts proves the runtime and rlimit settings; without them runc fails with
# "error setting rlimits for ready process: ... operation not permitted".
if ! podman info --format '{{.Host.OCIRuntime.Name}} {{.Store.GraphDriverName}}' >/dev/null; then
  echo "setup-podman: podman does not work with CONTAINERS_CONF=$CONTAINERS_CONF" >&2
  exit 1
fi
echo "setup-podman: $(podman --version), runtime $(podman info --format '{{.Host.OCIRuntime.Name}}'), storage $(podman info --format '{{.Store.GraphDriverName}}'), CONTAINERS_CONF=$CONTAINERS_CONF"
