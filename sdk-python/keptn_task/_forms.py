"""The catalogue of forms a secret is masked in: the Python twin of ``formsOf`` in
``sdk/src/masking/secret-forms.ts``, kept apart from the registry that matches them. A new form
goes here and there; the shared vectors (``test/vectors/masking.json``) hold the two together."""

from __future__ import annotations

import base64
import json
import re
from typing import List
from urllib.parse import quote, quote_plus

#: ``console.log(object)`` in Node and Deno prints only this many characters of a string in it.
_INSPECT_MAX_STRING = 10_000

_SURROGATE = re.compile("[\ud800-\udfff]")

#: A ``\\uXXXX`` escape with lower-case hex digits.
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-f]{4})")


def _js_length(text: str) -> int:
    # JavaScript counts UTF-16 code units; counting the same way keeps the 4-character rule equal.
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _well_formed(text: str) -> str:
    # Lone surrogates as U+FFFD, as JavaScript's TextEncoder and URLSearchParams write them.
    return _SURROGATE.sub("\ufffd", text)


def _js_json_escape(text: str) -> str:
    """The inside of ``JSON.stringify(text)``: as ``json.dumps(ensure_ascii=False)``, but a
    lone surrogate is written as ``\\udXXX`` (JavaScript's well-formed stringify)."""
    escaped = json.dumps(text, ensure_ascii=False)[1:-1]
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", escaped)


def _ascii_escape(escaped: str) -> str:
    """Every non-ASCII character of a JSON-escaped text as ``\\uXXXX`` per UTF-16 code unit, as
    ``json.dumps`` writes it by default (``ensure_ascii``)."""
    return _NON_ASCII.sub(_unit_escapes, escaped)


_NON_ASCII = re.compile("[^\x00-\x7f]")


def _unit_escapes(match: "re.Match[str]") -> str:
    code = ord(match.group())
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _shifted_base64(data: bytes, shift: int) -> str:
    """The base64 characters that depend only on ``data`` when it starts ``shift`` bytes into
    the encoded data: a secret after ``user:`` in ``Basic ...`` is encoded at such an offset."""
    padded = bytes(shift) + data
    encoded = base64.b64encode(padded).decode("ascii").rstrip("=")
    first = -(-shift * 8 // 6)
    # The last character also holds bits of whatever follows, unless the data ends on a 3-byte
    # group.
    last = len(encoded) if len(padded) % 3 == 0 else len(encoded) - 1
    return encoded[first:last]


def _byte_forms(data: bytes) -> List[str]:
    whole = base64.b64encode(data).decode("ascii")
    forms = [whole, whole.rstrip("=")]
    for shift in range(3):
        encoded = _shifted_base64(data, shift)
        forms += [encoded, encoded.replace("+", "-").replace("/", "_")]
    return forms


def _forms_of(piece: str) -> List[str]:
    escaped = _js_json_escape(piece)
    ascii_escaped = _ascii_escape(escaped)
    data = _well_formed(piece).encode("utf-8")
    forms = [
        piece,
        escaped,
        _js_json_escape(escaped),
        ascii_escaped,
        # json.dumps(json.dumps(value)), as a Python task writes a JSON document inside another.
        _js_json_escape(ascii_escaped),
        # encodeURIComponent, and URLSearchParams (which also escapes "~", and writes " " as "+").
        quote(data, safe="!*'()"),
        quote_plus(data, safe="*").replace("~", "%7E"),
        # Python's own: quote() keeps "/" (safe="/"), quote_plus() writes " " as "+".
        quote(data, safe="/"),
        quote_plus(data, safe=""),
        repr(piece)[1:-1],
        ascii(piece)[1:-1],
        # Escape styles of other encoders: "\/" (PHP, some JSON writers), Go's HTML-safe escapes.
        escaped.replace("/", "\\/"),
        ascii_escaped.replace("/", "\\/"),
        _go_escape(escaped),
        # \uXXXX with upper-case hex digits, as Jackson and .NET's encoders write non-ASCII.
        _UNICODE_ESCAPE.sub(lambda m: "\\u" + m.group(1).upper(), ascii_escaped),
    ]
    # %-escapes in lower case ("%2f"), as some encoders write them.
    forms += [_lower_percent(form) for form in forms if "%" in form]
    forms += [
        # Hex of the UTF-8 bytes (bytes.hex(), Buffer#toString("hex"), Go's %x and %X) and
        # Python's repr of those bytes (b'caf\xc3\xa9').
        data.hex(),
        data.hex().upper(),
        repr(data)[2:-1],
        _v8_excerpt(piece),
        *_byte_forms(data),
    ]
    if _SURROGATE.search(piece) and _is_escaped_bytes(piece):
        # Bytes that were not UTF-8 reach Python as lone surrogates (surrogateescape); Python
        # writes them back as the original bytes, which JavaScript cannot receive.
        raw = piece.encode("utf-8", "surrogateescape")
        forms += [quote(raw, safe="!*'()"), quote(raw, safe="/"), *_byte_forms(raw)]
    # As console.log and Deno.inspect print a string inside an object or an array, in each of
    # the quotes Node and Deno pick (backticks for one holding both ' and "), "\\" as "\\\\".
    for quote_char in ("'", '"', "`"):
        forms += [form[1:-1] for form in _inspect_forms(piece, quote_char)]
    # encodeURI keeps ;,/?:@&=+$# (a secret in a URL a task builds and prints).
    forms.append(quote(data, safe=";,/?:@&=+$-_.!~*'()#"))
    if _js_length(piece) > _INSPECT_MAX_STRING:
        # JavaScript cuts at 10,000 UTF-16 code units, possibly inside a surrogate pair.
        units = piece.encode("utf-16-le", "surrogatepass")[: 2 * _INSPECT_MAX_STRING]
        prefix = units.decode("utf-16-le", "surrogatepass")
        for quote_char in ("'", '"', "`"):
            forms += _inspect_forms(prefix, quote_char)
    return [form for form in dict.fromkeys(forms) if form != ""]


_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_PERCENT_ESCAPE = re.compile("%[0-9A-Fa-f]{2}")
_V8_EXCERPT_AFTER = 10


def _go_escape(escaped: str) -> str:
    """A JSON-escaped text as Go's encoding/json writes it: ``<``, ``>``, ``&``, U+2028 and
    U+2029 as ``\\uXXXX``."""
    return "".join(_GO_ESCAPES.get(char, char) for char in escaped)


def _lower_percent(form: str) -> str:
    return _PERCENT_ESCAPE.sub(lambda match: match.group().lower(), form)


def _v8_excerpt(piece: str) -> str:
    """What V8 (Node, Deno) quotes of ``piece`` when ``JSON.parse`` fails on it, alone or as a
    bare token in a larger text: the 10 UTF-16 code units from the failing position on, then
    ``"...``; the empty string when V8 quotes it whole or not at all (see the TypeScript twin)."""
    if piece == "" or piece[0] in '"{[-0123456789 \t\n\r':
        return ""
    fails_at = 0
    literal = next((word for word in ("null", "true", "false") if word[0] == piece[0]), None)
    if literal is not None:
        while fails_at < len(piece) and fails_at < len(literal) and piece[fails_at] == literal[fails_at]:
            fails_at += 1
    units = piece.encode("utf-16-le", "surrogatepass")
    end = 2 * (fails_at + _V8_EXCERPT_AFTER)
    if len(units) <= end:
        return ""
    return units[:end].decode("utf-16-le", "surrogatepass") + '"...'


def _is_escaped_bytes(text: str) -> bool:
    return all(0xDC80 <= ord(char) <= 0xDCFF for char in _SURROGATE.findall(text))


_INSPECT_NAMED = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", "\\": "\\\\"}


def _inspect_forms(text: str, quote_char: str) -> List[str]:
    """``text`` as Node's and Deno's ``util.inspect`` print it inside ``quote_char``: Node
    writes ``\\xNN`` in upper case and a lone surrogate's ``\\uXXXX`` in lower case, Deno both
    in lower case; each casing is taken on its own."""
    forms = []
    for upper_x, upper_u in ((True, False), (False, False), (True, True), (False, True)):
        out = []
        for char in text:
            code = ord(char)
            if char in _INSPECT_NAMED:
                out.append(_INSPECT_NAMED[char])
            elif char == quote_char:
                out.append("\\" + char)
            elif code < 0x20 or 0x7F <= code <= 0x9F:
                digits = f"{code:02x}"
                out.append("\\x" + (digits.upper() if upper_x else digits))
            elif 0xD800 <= code <= 0xDFFF:
                digits = f"{code:04x}"
                out.append("\\u" + (digits.upper() if upper_u else digits))
            else:
                out.append(char)
        forms.append(quote_char + "".join(out) + quote_char)
    return list(dict.fromkeys(forms))
