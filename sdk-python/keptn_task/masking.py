"""Secret masking, by the same rules as the TypeScript SDK's ``secret-registry.ts`` (the shared
test vectors in ``test/vectors/masking.json`` hold both to the same output).

Every secret value is registered once; from then on every text that leaves the task through
``keptn_task`` (log lines, the termination log, error messages) has each form of it replaced by
``***``: the whole value (at any length); each line of a multi-line value and each JSON leaf
(string, or number by its exact JSON text and as JavaScript prints it) of at least 4 characters
and not only white space; and for each of those its JSON-escaped forms (once and twice, also
with non-ASCII as ``\\uXXXX`` as ``json.dumps`` writes it), URL- and form-encoded forms (as
JavaScript's ``encodeURIComponent`` and ``URLSearchParams`` and Python's ``quote`` and
``quote_plus`` write them), its ``repr``, its base64 and base64url forms (also when it starts 1
or 2 bytes into the encoded data, as the password does in ``Basic base64(user:password)``), and
for a piece over 10,000 characters the quoted prefix that JavaScript's ``console.log`` prints of
it. Encoded forms shorter than 4 characters are left out (a 1-character base64 fragment would
mask that letter everywhere).

Matching is a literal search for every form (``str.find``), and the union of all matched ranges
is replaced: overlapping matches become one ``***``, adjacent ones each get their own. No
regular expression is built from secrets: a large secret would make one too large to compile.
A run of overlapping matches of one form (``aaaa`` in a long run of ``a``) is followed along the
form's period, so masking costs time linear in the text. Lengths are counted in UTF-16 code
units, as JavaScript counts them, so the 4-character rule is the same on both sides.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any, List, Optional, Set, Tuple

from ._forms import _SURROGATE, _forms_of, _js_length
from ._json_text import _escape_end, _escape_start, json_leaves

#: What a registered secret is replaced with.
MASK = "***"

#: Pieces of a secret (JSON leaves, lines) and encoded forms shorter than this (in UTF-16 code
#: units) are not masked on their own. The whole value is masked at any length.
MIN_PIECE_LENGTH = 4


# What JavaScript's String.prototype.trim removes: white space and line terminators. Python's
# str.strip differs (it also removes \x1c-\x1f and \x85, and keeps \ufeff).
_JS_WHITESPACE = (
    "\t\n\v\f\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_LINE_BREAKS = re.compile(r"\r?\n|\r")
_NEWLINES = re.compile(r"\r?\n")


def js_trim(text: str) -> str:
    """``text.trim()`` as JavaScript does it (the TS SDK's rule for blank values and lines)."""
    return text.strip(_JS_WHITESPACE)


def _combine_surrogates(text: str) -> str:
    # A high and a low surrogate side by side are one character in JavaScript; make them one
    # code point here too. Lone surrogates stay.
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


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
        self._form_set: Set[str] = set()
        # Replaced as a whole on register(): mask() reads one consistent tuple without the lock.
        self._forms: Tuple[str, ...] = ()
        # The smallest period of each form, computed when the form first matches (0: not yet).
        self._periods: List[int] = []
        self._longest = 0
        self._lock = threading.Lock()

    def register(self, value: str) -> None:
        """Registers a secret for masking. Empty or whitespace-only values are ignored.

        Args:
            value: The secret as it was read (raw string, possibly JSON or multi-line).
        """
        if not isinstance(value, str):
            kind = type(value).__name__
            raise TypeError(f"Cannot register a secret of type {kind}: expected str")
        with self._lock:
            if js_trim(value) == "" or value in self._values:
                return
            raw = value
            value = _combine_surrogates(value)
            new = [value]
            for piece in _pieces_of(value):
                for form in _forms_of(piece):
                    if _js_length(form) >= MIN_PIECE_LENGTH and js_trim(form) != "":
                        new.append(form)
            # Known only once its forms are: a value whose forms raised is not taken as done,
            # and registering it again raises again rather than leave it unmasked.
            self._values.add(raw)
            forms = list(self._forms)
            for form in new:
                if form not in self._form_set:
                    self._form_set.add(form)
                    forms.append(form)
                    self._periods.append(0)
                    self._longest = max(self._longest, _js_length(form))
            self._forms = tuple(forms)

    def __len__(self) -> int:
        """How many secrets are registered."""
        return len(self._values)

    @property
    def longest(self) -> int:
        """The longest form of any registered secret, in UTF-16 code units."""
        return self._longest

    def mask(self, text: str) -> str:
        """Replaces every registered secret form in ``text`` with ``***``.

        Args:
            text: Any text about to be written somewhere.

        Returns:
            The text with no registered secret in it.
        """
        if not self._forms or text == "":
            return text
        return self.mask_part(text, True, 0)[0]

    def safe_cut_index(self, text: str) -> int:
        """The earliest position from which the end of ``text`` could still grow into a secret
        form when more text follows: text before it is settled, text from it on is held back.

        Args:
            text: Text received so far and not yet written.

        Returns:
            An index into ``text`` (``len(text)`` when nothing needs holding back).
        """
        cut = len(text)
        for form in self._forms:
            # A proper prefix of `form` that ends the text starts at one of these positions.
            start = text.find(form[0], max(0, len(text) - len(form) + 1))
            while start != -1 and start < cut:
                if form.startswith(text[start:]) and len(text) - start < len(form):
                    cut = start
                    break
                start = text.find(form[0], start + 1)
        return cut

    def mask_part(self, text: str, final: bool, open_: int) -> Tuple[str, int, int]:
        """One step of streaming masking (what :class:`SecretMasker` does with each write).

        Args:
            text: The text held back so far followed by the new text.
            final: Whether no more text follows.
            open_: How many characters at the start of ``text`` a ``***`` already written covers.

        Returns:
            The masked text that is settled, the index in ``text`` from which it must be kept
            for the next step, and how many characters from that index the ``***`` just
            written covers.
        """
        cut = len(text) if final else self.safe_cut_index(text)
        ranges = self._ranges(text)
        out: List[str] = []
        last = 0
        # The range being merged: [start, end), and whether its mask is already written.
        start = 0
        end = open_
        written = open_ > 0
        any_range = open_ > 0
        r = 0
        while r <= len(ranges):
            following = ranges[r] if r < len(ranges) else None
            if following is not None and any_range and following < end:
                end = max(end, ranges[r + 1])
                r += 2
                continue
            if any_range:
                # Not settled yet; a mask already written (start 0, cut 0) stays open.
                if start >= cut:
                    out.append(text[last:cut])
                    return "".join(out), cut, (end if written else 0)
                if not written:
                    out += [text[last:start], MASK]
                if end > cut:
                    return "".join(out), cut, end - cut
                last = end
            if following is None:
                break
            start = following
            end = ranges[r + 1]
            written = False
            any_range = True
            r += 2
        out.append(text[last:cut])
        return "".join(out), cut, 0

    def _ranges(self, text: str) -> List[int]:
        """Every occurrence of every form, merged into sorted, disjoint ``[start, end)`` ranges
        (overlapping ones merge, adjacent ones do not), as a flat list of starts and ends."""
        lists: List[List[int]] = []
        for index, form in enumerate(self._forms):
            at = text.find(form)
            if at == -1:
                continue
            length = len(form)
            period = self._period(index)
            found: List[int] = []
            while at != -1:
                end = at + length
                if period < length:
                    # Occurrences one period apart overlap: follow them without searching again.
                    j = _periodic_end(text, end, period)
                    end += (j - end) // period * period
                if found and at < found[-1]:
                    found[-1] = max(found[-1], end)
                else:
                    found += [at, end]
                at = text.find(form, end - length + 1)
            lists.append(found)
        if len(lists) <= 1:
            return lists[0] if lists else []
        pairs = sorted(
            ((found[i], found[i + 1]) for found in lists for i in range(0, len(found), 2)),
            key=lambda pair: (pair[0], -pair[1]),
        )
        merged: List[int] = []
        for start, end in pairs:
            if merged and start < merged[-1]:
                merged[-1] = max(merged[-1], end)
            else:
                merged += [start, end]
        return merged

    def _period(self, index: int) -> int:
        period = self._periods[index]
        if period == 0:
            period = _smallest_period(self._forms[index])
            self._periods[index] = period
        return period

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
        # The string as JSON writes it may hold an escaped form: mask whole escapes there.
        escaped = json.dumps(masked, ensure_ascii=False)[1:-1]
        ranges = self._ranges(escaped)
        if not ranges:
            return masked
        out: List[str] = []
        last = 0
        for r in range(0, len(ranges), 2):
            start = _escape_start(escaped, ranges[r])
            end = _escape_end(escaped, ranges[r + 1])
            if out and start < last:
                last = max(last, end)
                continue
            out += [escaped[last:start], MASK]
            last = end
        result: str = json.loads('"' + "".join(out) + escaped[last:] + '"')
        return result


class SecretMasker:
    """Masks secrets in text that arrives in pieces, as the TS SDK's ``SecretMasker`` does. A
    secret split across two writes is still masked: the end of a piece that could be the start
    of a secret form is held back until the next piece (or :meth:`end`) shows whether it is
    one. What is held back is never longer than the longest form; a masked range that may still
    grow (a long run of overlapping matches) has its ``***`` written at once and is then only
    extended, not held.

    Example:
        >>> masker = SecretMasker(secrets)     # "token123" registered
        >>> masker.write("tok")
        ''
        >>> masker.write("en123 done")
        '*** done'
        >>> masker.end()
        ''
    """

    def __init__(self, secrets: Optional[SecretRegistry] = None) -> None:
        """Args:
        secrets: The registry to mask with (default: the process-wide one).
        """
        self._secrets = default_secrets if secrets is None else secrets
        self._pending = ""
        # How many characters at the start of _pending a `***` already written covers.
        self._open = 0

    def write(self, text: str) -> str:
        """Takes the next piece of text and returns what can safely be written now."""
        # Pending text is kept raw: masking it early could hide the start of a longer form.
        raw = self._pending + text
        out, keep, self._open = self._secrets.mask_part(raw, False, self._open)
        self._pending = raw[keep:]
        return out

    @property
    def held(self) -> int:
        """How many characters are held back (never more than the longest secret form)."""
        return len(self._pending)

    def end(self) -> str:
        """Returns whatever is still held back, masked. Call once, when the input ends."""
        rest = self._secrets.mask_part(self._pending, True, self._open)[0]
        self._pending = ""
        self._open = 0
        return rest


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


def _periodic_end(text: str, start: int, period: int) -> int:
    """How far from ``start`` the text keeps repeating with ``period``: compared in growing
    blocks, then character by character."""
    j = start
    step = 64
    while step >= 64:
        if j + step <= len(text) and text.startswith(text[j - period : j - period + step], j):
            j += step
            step *= 2
        else:
            step //= 2
    while j < len(text) and text[j] == text[j - period]:
        j += 1
    return j


def _smallest_period(form: str) -> int:
    """The smallest p such that ``form[i] == form[i + p]`` for every i (KMP's failure function)."""
    border = [0] * len(form)
    k = 0
    for i in range(1, len(form)):
        while k > 0 and form[i] != form[k]:
            k = border[k - 1]
        if form[i] == form[k]:
            k += 1
        border[i] = k
    return len(form) - (border[-1] if form else 0)


def _add_piece(pieces: Set[str], piece: str) -> None:
    if _js_length(piece) >= MIN_PIECE_LENGTH and js_trim(piece) != "":
        pieces.add(piece)


def _add_lines(pieces: Set[str], value: str) -> None:
    """The value trimmed, and each line of a multi-line value (as is and trimmed): lines both as
    a terminal shows them (a bare ``\\r`` breaks too) and as line-based output prints them."""
    trimmed = js_trim(value)
    if trimmed != value:
        _add_piece(pieces, trimmed)
    if "\r" not in value and "\n" not in value:
        _add_assigned(pieces, value)
        return
    for line in set(_LINE_BREAKS.split(value)) | set(_NEWLINES.split(value)):
        _add_piece(pieces, line)
        _add_piece(pieces, js_trim(line))
        _add_assigned(pieces, line)


#: The start of a line of a dotenv, properties or YAML file: ``KEY=``, ``export KEY=``, ``key: ``.
_ASSIGNMENT = re.compile(r"[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_.-]*[ \t]*[=:][ \t]*")


def _add_assigned(pieces: Set[str], line: str) -> None:
    """The value of a ``KEY=value`` (or ``key: value``) line, trimmed and without its quotes."""
    start = _ASSIGNMENT.match(line)
    if start is None:
        return
    value = js_trim(line[start.end() :])
    if len(value) >= 2 and value[0] in "\"'" and value.endswith(value[0]):
        value = value[1:-1]
    _add_piece(pieces, value)


def _pieces_of(value: str) -> Set[str]:
    pieces = {value}
    _add_lines(pieces, value)
    for leaf in json_leaves(value) or []:
        _add_piece(pieces, leaf)
        _add_lines(pieces, leaf)
    return pieces
