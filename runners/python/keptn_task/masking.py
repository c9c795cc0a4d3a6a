"""Secret masking, the same rules as the TypeScript SDK's ``secret-registry.ts``.

Every secret value is registered once; from then on every text that leaves the task through
``keptn_task`` (log lines, the termination log, error messages) has each form of it replaced by
``***``: the whole value (at any length), each line of a multi-line value and each JSON leaf
(string, or number by its exact JSON text) of at least 4 characters and not only white space,
and for each of those its JSON-escaped (once and twice), URL-encoded, ``repr``, base64 and
base64url (padding stripped) forms, and for a piece over 10,000 characters the quoted prefix
that JavaScript's ``console.log`` prints of it. Encoded forms shorter than 4 characters are left
out (a 1-character base64 fragment would mask that letter everywhere). Longest forms are
replaced first, so a short piece never leaves part of a longer form behind.

Python's own defaults add forms of the same kind: ``json.dumps`` escapes non-ASCII characters
(``ensure_ascii``), ``repr`` picks its quotes and escapes control characters,
``urllib.parse.quote`` keeps ``/`` and ``urlencode`` writes spaces as ``+``; all are masked too.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from json.decoder import scanstring
from typing import Any, List, Optional, Pattern, Set
from urllib.parse import quote, quote_plus

#: What a registered secret is replaced with.
MASK = "***"

#: Pieces of a secret (JSON leaves, lines) shorter than this are not masked on their own.
MIN_PIECE_LENGTH = 4

# encodeURIComponent leaves these unescaped besides letters, digits and "-_.~".
_URI_SAFE = "!*'()"

#: ``console.log(object)`` in Node and Deno prints only this many characters of a string in it.
_INSPECT_MAX_STRING = 10_000


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
            self._forms.add(value)
            for piece in _pieces_of(value):
                self._forms.update(
                    form for form in _forms_of(piece) if _js_length(form) >= MIN_PIECE_LENGTH and form.strip()
                )
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


    def mask_json(self, value: Any) -> Any:
        """``value`` (what ``json.dumps`` will write) with every secret masked in its strings
        and keys, so that the JSON written stays valid: a number, boolean or ``None`` whose JSON
        text holds a secret becomes the masked string, and a mask in a string's JSON text covers
        whole escape sequences. Other objects are masked as ``str(value)``.

        Args:
            value: A dict, list, str, number, bool, ``None`` or other object.

        Returns:
            The masked value, ready for ``json.dumps``.
        """
        if isinstance(value, str):
            return self._mask_string(value)
        if isinstance(value, dict):
            return {
                self._mask_string(key) if isinstance(key, str) else key: self.mask_json(item)
                for key, item in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [self.mask_json(item) for item in value]
        if value is None or isinstance(value, (bool, int, float)):
            text = json.dumps(value)
            masked = self.mask(text)
            return value if masked == text else masked
        return self._mask_string(str(value))

    def _mask_string(self, value: str) -> str:
        masked = self.mask(value)
        regex = self._regex
        if regex is None:
            return masked
        # The string as JSON writes it may hold an escaped form: mask whole escapes there.
        escaped = json.dumps(masked, ensure_ascii=False)[1:-1]
        out: List[str] = []
        last = 0
        for match in regex.finditer(escaped):
            start = _escape_start(escaped, match.start())
            end = _escape_end(escaped, match.end())
            if out and start < last:
                last = max(last, end)
                continue
            out += [escaped[last:start], MASK]
            last = end
        if not out:
            return masked
        return json.loads('"' + "".join(out) + escaped[last:] + '"')


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


def _add_piece(pieces: Set[str], piece: str) -> None:
    if _js_length(piece) >= MIN_PIECE_LENGTH and piece.strip() != "":
        pieces.add(piece)


def _add_lines(pieces: Set[str], value: str) -> None:
    trimmed = value.strip()
    if trimmed != value:
        _add_piece(pieces, trimmed)
    if "\r" in value or "\n" in value:
        # As a terminal shows lines (a bare \r breaks too) and as line-based output prints them.
        lines = set(re.split(r"\r?\n|\r", value)) | set(re.split(r"\r?\n", value))
        for line in lines:
            _add_piece(pieces, line)
            _add_piece(pieces, line.strip())


def _pieces_of(value: str) -> Set[str]:
    pieces = {value}
    _add_lines(pieces, value)
    for leaf in json_leaves(value) or []:
        _add_piece(pieces, leaf)
        _add_lines(pieces, leaf)
    return pieces


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERALS = ("true", "false", "null")


def json_leaves(text: str) -> Optional[List[str]]:
    """The string and number leaves of a JSON text, or ``None`` when it is not JSON.

    Numbers are taken as written (``1.50``) and as Python prints them (``1.5``). A loop with an
    explicit stack, not recursion (``json.loads`` stops at about 1,000 levels): any depth.
    """
    leaves: List[str] = []
    closers: List[str] = []
    end = len(text)
    i = _WHITESPACE.match(text, 0).end()  # type: ignore[union-attr]

    def key(at: int) -> int:
        if at >= end or text[at] != '"':
            raise ValueError("expected a key")
        _, at = scanstring(text, at + 1, True)
        at = _WHITESPACE.match(text, at).end()  # type: ignore[union-attr]
        if at >= end or text[at] != ":":
            raise ValueError("expected ':'")
        return _WHITESPACE.match(text, at + 1).end()  # type: ignore[union-attr]

    try:
        while True:
            # A value starts at i.
            if i >= end:
                return None
            char = text[i]
            if char in "{[":
                closer = "}" if char == "{" else "]"
                i = _WHITESPACE.match(text, i + 1).end()  # type: ignore[union-attr]
                if i < end and text[i] == closer:
                    i += 1
                else:
                    closers.append(closer)
                    if closer == "}":
                        i = key(i)
                    continue
            elif char == '"':
                leaf, i = scanstring(text, i + 1, True)
                leaves.append(leaf)
            elif text.startswith(_LITERALS, i):
                i += next(len(word) for word in _LITERALS if text.startswith(word, i))
            else:
                number = _NUMBER.match(text, i)
                if number is None:
                    return None
                source = number.group()
                leaves.append(source)
                python_text = str(int(source)) if re.fullmatch(r"-?[0-9]+", source) else str(float(source))
                if python_text != source:
                    leaves.append(python_text)
                i = number.end()
            # After a value: a comma and the next one, the end of containers, or the end.
            while True:
                i = _WHITESPACE.match(text, i).end()  # type: ignore[union-attr]
                if not closers:
                    return leaves if i == end else None
                if i < end and text[i] == ",":
                    i = _WHITESPACE.match(text, i + 1).end()  # type: ignore[union-attr]
                    if closers[-1] == "}":
                        i = key(i)
                    break
                if i < end and text[i] == closers[-1]:
                    closers.pop()
                    i += 1
                    continue
                return None
    except ValueError:
        return None


def _starts_escape(text: str, at: int) -> bool:
    before = 0
    while at - 1 - before >= 0 and text[at - 1 - before] == "\\":
        before += 1
    return before % 2 == 0


def _escape_length(text: str, start: int) -> int:
    return 6 if text[start + 1 : start + 2] == "u" else 2


def _escape_at(text: str, at: int) -> int:
    """The start of the JSON escape sequence that holds ``at``, or -1."""
    for j in range(at, max(-1, at - 6), -1):
        if text[j] == "\\" and _starts_escape(text, j):
            return j if j + _escape_length(text, j) > at else -1
    return -1


def _escape_start(text: str, at: int) -> int:
    start = _escape_at(text, at) if at < len(text) else -1
    return at if start == -1 else start


def _escape_end(text: str, end: int) -> int:
    start = _escape_at(text, end - 1)
    return end if start == -1 else start + _escape_length(text, start)


def _json_escape(text: str, ascii_only: bool) -> str:
    return json.dumps(text, ensure_ascii=ascii_only)[1:-1]


def _forms_of(piece: str) -> List[str]:
    forms = [piece]
    for ascii_only in (False, True):
        escaped = _json_escape(piece, ascii_only)
        forms += [escaped, _json_escape(escaped, ascii_only)]
    forms.append(repr(piece)[1:-1])
    data = _utf8(piece)
    forms.append(quote(data, safe=_URI_SAFE))
    forms.append(quote_plus(data, safe=_URI_SAFE))
    # Python's own defaults: quote() keeps "/", quote_plus() (urlencode) escapes it.
    forms.append(quote(data))
    forms.append(quote_plus(data))
    encoded = base64.b64encode(data).decode("ascii").rstrip("=")
    forms += [encoded, encoded.replace("+", "-").replace("/", "_")]
    if len(piece) > _INSPECT_MAX_STRING:
        # JavaScript cuts at 10,000 UTF-16 code units, possibly inside a surrogate pair.
        units = piece.encode("utf-16-le", "surrogatepass")[: 2 * _INSPECT_MAX_STRING]
        prefix = units.decode("utf-16-le", "surrogatepass")
        for quote_char in ("'", '"', "`"):
            forms += _inspect_forms(prefix, quote_char)
    return [form for form in dict.fromkeys(forms) if form != ""]


_INSPECT_NAMED = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", "\\": "\\\\"}


def _inspect_forms(text: str, quote_char: str) -> List[str]:
    """``text`` as Node's and Deno's ``util.inspect`` print it inside ``quote_char``."""
    forms = []
    for upper in (True, False):
        out = []
        for char in text:
            code = ord(char)
            if char in _INSPECT_NAMED:
                out.append(_INSPECT_NAMED[char])
            elif char == quote_char:
                out.append("\\" + char)
            elif code < 0x20 or 0x7F <= code <= 0x9F:
                digits = f"{code:02x}"
                out.append("\\x" + (digits.upper() if upper else digits))
            elif 0xD800 <= code <= 0xDFFF:
                digits = f"{code:04x}"
                out.append("\\u" + (digits.upper() if upper else digits))
            else:
                out.append(char)
        forms.append(quote_char + "".join(out) + quote_char)
    return list(dict.fromkeys(forms))
