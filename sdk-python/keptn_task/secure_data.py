"""``SECURE_DATA``: the key ``SECURE_DATA`` of the Secret named in ``secureParameters.secret``,
as in the TS SDK's ``secure-data.ts``. The value is registered for masking before anything else
happens to it, and no issue ever quotes it.
"""

from __future__ import annotations

from typing import Any, List, Literal, Optional, Tuple, overload

from ._json import parse_json
from .errors import ConfigIssue
from .masking import SecretRegistry, default_secrets

SOURCE = "SECURE_DATA"


# The raw string without as_json; parsed JSON, of any shape, with it.
@overload
def parse_secure_data(
    raw: Optional[str], as_json: Literal[False] = False, secrets: SecretRegistry = default_secrets
) -> Tuple[Optional[str], List[ConfigIssue]]: ...
@overload
def parse_secure_data(
    raw: Optional[str], as_json: bool, secrets: SecretRegistry = default_secrets
) -> Tuple[Any, List[ConfigIssue]]: ...
def parse_secure_data(
    raw: Optional[str], as_json: bool = False, secrets: SecretRegistry = default_secrets
) -> Tuple[Any, List[ConfigIssue]]:
    """Reads ``SECURE_DATA``.

    Args:
        raw: The variable's value, ``None`` when no secret is named.
        as_json: Parse the value as JSON (any JSON value); it must then be set.
        secrets: Where to register the secret (default: the process-wide registry).

    Returns:
        The raw string (``None`` when unset) or the parsed JSON, and the issues found.

    Example:
        >>> value, issues = parse_secure_data(os.environ.get("SECURE_DATA"), as_json=True)
    """
    if raw is not None:
        secrets.register(raw)
    if not as_json:
        return raw, []
    if raw is None or raw == "":
        return None, [
            ConfigIssue(
                SOURCE,
                "",
                "is not set: name a Secret with the key SECURE_DATA in the definition's "
                "secureParameters.secret",
            )
        ]
    ok, value = parse_json(raw, SOURCE, secret=True)
    if not ok:
        return None, [value]
    return value, []
