# Builds the two runner images for users' CI: `docker buildx bake` (both) or
# `docker buildx bake deno-runtime`. Override any variable from the environment, e.g.
# REGISTRY=registry.example.com/platform TAG=v1.2.3 REVISION=$GITHUB_SHA docker buildx bake --push
#
# On a machine without Docker or a registry, scripts/images/build.mjs (npm run images) reads
# this file and runs the same Dockerfiles, contexts and build args with podman, replacing only
# DEBIAN_IMAGE and DENO_BIN_IMAGE by images it makes from Debian packages and the npm Deno binary.

variable "REGISTRY" {
  default = "ghcr.io/keptn-task"
}

# The project's version: every npm package, the Python module and the images carry it
# (test/packages/version.test.ts checks that they agree).
variable "VERSION" {
  default = "0.2.0"
}

variable "TAG" {
  default = "${VERSION}"
}

# Commit the images are built from (org.opencontainers.image.revision).
variable "REVISION" {
  default = "unknown"
}

variable "SOURCE" {
  default = "https://github.com/keptn-task/keptn-task-runtime"
}

# Must equal the "deno" dependency of runners/package.json (test/images/bake.test.ts checks it).
variable "DENO_VERSION" {
  default = "2.9.6"
}

# Upstream version of the Debian python3.13 package pinned in images/python-runtime.
variable "PYTHON_VERSION" {
  default = "3.13.5"
}

# Raw material only: a Debian 13 (trixie) with apt, and an image holding the Deno binary at /deno.
variable "DEBIAN_IMAGE" {
  default = "docker.io/library/debian:trixie-20250929-slim"
}

variable "DENO_BIN_IMAGE" {
  default = "docker.io/denoland/deno:bin-${DENO_VERSION}"
}

group "default" {
  targets = ["deno-runtime", "python-runtime"]
}

target "_common" {
  context   = "."
  platforms = ["linux/amd64", "linux/arm64"]
  args = {
    DEBIAN_IMAGE   = DEBIAN_IMAGE
    DENO_BIN_IMAGE = DENO_BIN_IMAGE
    DENO_VERSION   = DENO_VERSION
    VERSION        = VERSION
    REVISION       = REVISION
    SOURCE         = SOURCE
  }
  labels = {
    "org.opencontainers.image.source"   = SOURCE
    "org.opencontainers.image.version"  = VERSION
    "org.opencontainers.image.revision" = REVISION
    "org.opencontainers.image.licenses" = "Apache-2.0"
  }
}

target "deno-runtime" {
  inherits   = ["_common"]
  dockerfile = "images/deno-runtime/Dockerfile"
  target     = "deno-runtime"
  tags       = ["${REGISTRY}/deno-runtime:${TAG}"]
}

target "python-runtime" {
  inherits   = ["_common"]
  dockerfile = "images/python-runtime/Dockerfile"
  target     = "python-runtime"
  args = {
    PYTHON_VERSION = PYTHON_VERSION
  }
  tags = ["${REGISTRY}/python-runtime:${TAG}"]
}
