"""Secret masking, the same rules as the TypeScript SDK's ``secret-registry.ts``.

Every secret value is registered once; from then on every text that leaves the task through
``keptn_task`` (log lines, the termination log, error messages) has each form of it replaced by
``***``: the whole value, each line (of at least 4 characters) of a multi-line value, each JSON
leaf (string or number, at least 4 characters), and for each of those its JSON-escaped (once and
twice), URL-encoded, base64 and base64url (padding stripped) forms. Longest forms are replaced
first, so a short piece never leaves part of a longer form behind.

Python's own defaults add two forms of the same kind: ``json.dumps`` escapes non-ASCII characters
(``ensure_ascii``), and ``urllib.parse.urlencode`` writes spaces as ``+``; both are masked too.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from typing import Any, Iterator, List, Optional, Pattern, Set
from urllib.parse import quote, quote_plus

from ._json import reject_constant

#: What a registered secret is replaced with.
MASK = "***"

#: Pieces of a secret (JSON leaves, lines) shorter than this are not masked on their own.
MIN_PIECE_LENGTH = 4

# encodeURIComponent leaves these unescaped besides letters, digits and "-_.~".
_URI_SAFE = "!*'()"


def _js_length(text: str) -> int:
    # JavaScript counts UTF-16 code units; counting the same way keeps the 4-character rule equal.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _utf8(text: str) -> bytes:
    # Environment values that are not valid UTF-8 reach Python as lone surrogates
    # (surrogateescape); this gives back the bytes the process received. Other lone surrogates
    # (from a JSON escape such as "\ud800") are encoded as-is, as no valid output can hold them.
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


class SecretRegistry:
    """A set of secret values and every form in which they can appear in output.

    Example:
        >>> secrets = SecretRegistry()
        >>> secrets.register('{"token":"abcd1234"}')
        >>> secrets.mask("token=abcd1234")
        'token=***'
    """

    def __init__(self) -> None:
        self._values: Set[str] = set()
        self._forms: Set[str] = set()
        self._regex: Optional[Pattern[str]] = None
        self._lock = threading.Lock()

    def register(self, value: str) -> None:
        """Registers a secret for masking. Empty or whitespace-only values are ignored.

        Args:
            value: The secret as it was read (raw string, possibly JSON or multi-line).
        """
        if not isinstance(value, str):
            raise TypeError(f"Cannot register a secret of type {type(value).__name__}: expected str")
        with self._lock:
            if value.strip() == "" or value in self._values:
                return
            self._values.add(value)
            for piece in _pieces_of(value):
                self._forms.update(_forms_of(piece))
            ordered = sorted(self._forms, key=len, reverse=True)
            self._regex = re.compile("|".join(re.escape(form) for form in ordered))

    def __len__(self) -> int:
        """How many secrets are registered."""
        return len(self._values)

    def mask(self, text: str) -> str:
        """Replaces every registered secret form in ``text`` with ``***``.

        Args:
            text: Any text about to be written somewhere.

        Returns:
            The text with no registered secret in it.
        """
        regex = self._regex
        if regex is None or text == "":
            return text
        return regex.sub(MASK, text)


#: The registry ``keptn_task`` uses: one per process, like the process's environment.
default_secrets = SecretRegistry()


def register_secret(value: str) -> None:
    """Registers a secret with the process-wide registry, so that the task's logger,
    ``fail()`` and :func:`mask_secrets` hide it from now on. ``task()`` does this for
    ``SECURE_DATA``.

    Args:
        value: A secret value (token, password, JSON document of secrets...).

    Example:
        >>> register_secret(api_token)
    """
    default_secrets.register(value)


def mask_secrets(text: str) -> str:
    """Replaces every registered secret in ``text`` with ``***``.

    Args:
        text: Text about to be printed.

    Returns:
        The masked text.

    Example:
        >>> print(mask_secrets(f"calling with {token}"))
        calling with ***
    """
    return default_secrets.mask(text)


def _pieces_of(value: str) -> Set[str]:
    pieces = {value}
    trimmed = value.strip()
    if trimmed != value:
        pieces.add(trimmed)
    if "\r" in value or "\n" in value:
        # As a terminal shows lines (a bare \r breaks too) and as line-based output prints them.
        lines = set(re.split(r"\r?\n|\r", value)) | set(re.split(r"\r?\n", value))
        for line in lines:
            for candidate in (line, line.strip()):
                if _js_length(candidate) >= MIN_PIECE_LENGTH:
                    pieces.add(candidate)
    try:
        parsed = _loads_keeping_number_text(value)
    except (ValueError, RecursionError):
        return pieces
    for leaf in _json_leaves(parsed):
        if _js_length(leaf) >= MIN_PIECE_LENGTH:
            pieces.add(leaf)
    return pieces


class _Number(str):
    """A JSON number leaf: the text as written in the JSON plus Python's own rendering."""

    python_text: str


def _number(text: str, value: Any) -> _Number:
    number = _Number(text)
    number.python_text = str(value)
    return number


def _loads_keeping_number_text(raw: str) -> Any:
    # Numbers keep their JSON text ("1.50") and Python's rendering (1.5), as either may be printed.
    return json.loads(
        raw,
        parse_int=lambda text: _number(text, int(text)),
        parse_float=lambda text: _number(text, float(text)),
        parse_constant=reject_constant,
    )


def _json_leaves(value: Any) -> Iterator[str]:
    if isinstance(value, _Number):
        yield str.__str__(value)
        yield value.python_text
    elif isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _json_leaves(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_leaves(item)


def _json_escape(text: str, ascii_only: bool) -> str:
    return json.dumps(text, ensure_ascii=ascii_only)[1:-1]


def _forms_of(piece: str) -> List[str]:
    forms = [piece]
    for ascii_only in (False, True):
        escaped = _json_escape(piece, ascii_only)
        forms += [escaped, _json_escape(escaped, ascii_only)]
    data = _utf8(piece)
    forms.append(quote(data, safe=_URI_SAFE))
    forms.append(quote_plus(data, safe=_URI_SAFE))
    encoded = base64.b64encode(data).decode("ascii").rstrip("=")
    forms += [encoded, encoded.replace("+", "-").replace("/", "_")]
    return [form for form in dict.fromkeys(forms) if form != ""]
