"""The Kubernetes termination log, as in the TS SDK's ``termination-log.ts``."""

from __future__ import annotations

#: Where Kubernetes reads a container's termination message (``terminationMessagePath``).
DEFAULT_TERMINATION_LOG = "/dev/termination-log"

#: Kubernetes keeps at most 4096 bytes of a termination message.
MAX_BYTES = 4096


def write_termination_log(message: str, path: str = DEFAULT_TERMINATION_LOG) -> bool:
    """Writes a short reason to the termination log when that file already exists and is
    writable (it does in a Kubernetes container; on a laptop it does not, and nothing is
    created). The caller masks ``message`` first.

    Args:
        message: The reason, at most 4096 bytes of it are kept (cut on a character boundary).
        path: The termination log's path.

    Returns:
        Whether the message was written.

    Example:
        >>> write_termination_log("Health check failed: HTTP 503")
        False
    """
    data = message.encode("utf-8", "replace")
    if len(data) > MAX_BYTES:
        cut = MAX_BYTES
        while cut > 0 and data[cut] & 0xC0 == 0x80:  # never split a UTF-8 character
            cut -= 1
        data = data[:cut]
    try:
        # "r+" opens an existing file only: a missing termination log is never created.
        with open(path, "r+b") as file:
            file.truncate(0)
            file.write(data)
        return True
    except OSError:
        return False

