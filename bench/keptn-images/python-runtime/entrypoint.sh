#!/bin/sh
# The Keptn-equivalent python-runtime's entrypoint (bench only), behaving as Keptn's
# runtimes/python-runtime does: a URL is piped through curl -s into python3 (no failure on an
# HTTP error, no retry, no timeout), anything else is passed to python3; SCRIPT and CMD_ARGS are
# unquoted, so the shell splits them.
case $SCRIPT in
http://* | https://* | ftp://* | file://*)
  # shellcheck disable=SC2086
  curl -s $SCRIPT | python3 $CMD_ARGS -
  ;;
*)
  # shellcheck disable=SC2086
  python3 $CMD_ARGS $SCRIPT
  ;;
esac
