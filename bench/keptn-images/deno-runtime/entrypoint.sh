#!/bin/sh
# The Keptn-equivalent deno-runtime's entrypoint (bench only), behaving as Keptn's
# runtimes/deno-runtime does: Deno started by a shell that stays its parent (no exec), with
# Keptn's permission flags and SCRIPT as given, a path or a URL.
set -eu
deno run --allow-net --allow-write --allow-read --allow-env=DATA,SECURE_DATA,KEPTN_CONTEXT "$SCRIPT"
