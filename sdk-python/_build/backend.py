"""The PEP 517 / PEP 660 build backend of ``keptn-task``, standard library only.

Why not setuptools: ``setuptools.build_meta`` needs the ``wheel`` package for ``bdist_wheel``; the
Python environments this project builds in (CI's among them) have setuptools but not ``wheel``,
and an offline install (``--no-index``) cannot fetch it. A pure-Python package needs no build
tool at all: a wheel is a zip of its files plus metadata, which this module writes.

The metadata has one home, ``pyproject.toml``'s ``[project]`` table.
"""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import json
import re
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Optional

# The source tree (sdk-python): found from this file, so the hooks work from any directory.
ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "keptn_task"
TAG = "py3-none-any"
# A fixed timestamp (zip's earliest) makes every build of the same source byte-identical.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

ConfigSettings = Optional[Dict[str, Any]]


def get_requires_for_build_wheel(config_settings: ConfigSettings = None) -> List[str]:
    return []


get_requires_for_build_sdist = get_requires_for_build_editable = get_requires_for_build_wheel


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: ConfigSettings = None
) -> str:
    project = _project()
    dist_info = Path(metadata_directory) / f"{_stem(project)}.dist-info"
    dist_info.mkdir(parents=True, exist_ok=True)
    for name, data in _dist_info(project).items():
        (dist_info / name).write_bytes(data)
    return dist_info.name


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(
    wheel_directory: str,
    config_settings: ConfigSettings = None,
    metadata_directory: Optional[str] = None,
) -> str:
    # The metadata is written anew: it is the same as prepare_metadata_for_build_wheel's.
    return _write_wheel(wheel_directory, _package_files())


def build_editable(
    wheel_directory: str,
    config_settings: ConfigSettings = None,
    metadata_directory: Optional[str] = None,
) -> str:
    # PEP 660: instead of the package, a .pth file that puts its source folder on sys.path, so
    # edits take effect without reinstalling.
    return _write_wheel(wheel_directory, {f"{PACKAGE}.pth": f"{ROOT}\n".encode()})


def build_sdist(sdist_directory: str, config_settings: ConfigSettings = None) -> str:
    project = _project()
    files = {
        "PKG-INFO": _metadata(project),
        "pyproject.toml": (ROOT / "pyproject.toml").read_bytes(),
        project["readme"]: (ROOT / project["readme"]).read_bytes(),
        "_build/backend.py": Path(__file__).read_bytes(),
        **_package_files(),
    }
    stem = _stem(project)
    with gzip.GzipFile(Path(sdist_directory) / f"{stem}.tar.gz", "wb", mtime=0) as packed:
        with tarfile.open(fileobj=packed, mode="w", format=tarfile.PAX_FORMAT) as archive:
            for path, data in sorted(files.items()):
                info = tarfile.TarInfo(f"{stem}/{path}")  # owned by root, mtime 0
                info.size, info.mode = len(data), 0o644
                archive.addfile(info, io.BytesIO(data))
    return f"{stem}.tar.gz"


def _package_files() -> Dict[str, bytes]:
    # The sources and the PEP 561 marker (py.typed) only: never __pycache__ or other leftovers.
    paths = sorted(
        path
        for path in (ROOT / PACKAGE).rglob("*")
        if (path.suffix == ".py" or path.name == "py.typed") and "__pycache__" not in path.parts
    )
    return {path.relative_to(ROOT).as_posix(): path.read_bytes() for path in paths}


def _write_wheel(wheel_directory: str, files: Dict[str, bytes]) -> str:
    """Writes ``files`` and the ``.dist-info`` (PEP 427) to a wheel; returns its file name."""
    project = _project()
    dist_info = f"{_stem(project)}.dist-info"
    files = {**files, **{f"{dist_info}/{name}": data for name, data in _dist_info(project).items()}}
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        writer.writerow([path, f"sha256={digest}", len(data)])
    writer.writerow([f"{dist_info}/RECORD", "", ""])  # RECORD cannot hold its own hash
    files[f"{dist_info}/RECORD"] = record.getvalue().encode()

    name = f"{_stem(project)}-{TAG}.whl"
    with zipfile.ZipFile(Path(wheel_directory) / name, "w") as archive:
        for path, data in files.items():
            info = zipfile.ZipInfo(path, ZIP_TIME)
            info.external_attr = 0o644 << 16  # rw-r--r--, whatever the source's mode
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return name


def _dist_info(project: Dict[str, Any]) -> Dict[str, bytes]:
    wheel = f"Wheel-Version: 1.0\nGenerator: {PACKAGE} _build/backend.py\n"
    wheel += f"Root-Is-Purelib: true\nTag: {TAG}\n"
    return {"METADATA": _metadata(project), "WHEEL": wheel.encode()}


def _metadata(project: Dict[str, Any]) -> bytes:
    """Core metadata 2.1, with the README as the description (PyPI renders it)."""
    fields = [
        ("Metadata-Version", "2.1"),
        ("Name", project["name"]),
        ("Version", project["version"]),
        ("Summary", project["description"]),
        ("Keywords", ",".join(project.get("keywords", []))),
        ("License", project["license"]["text"]),
        ("Requires-Python", project["requires-python"]),
        *(("Classifier", classifier) for classifier in project.get("classifiers", [])),
        *(("Project-URL", f"{label}, {url}") for label, url in project.get("urls", {}).items()),
        *(("Requires-Dist", requirement) for requirement in project.get("dependencies", [])),
        ("Description-Content-Type", "text/markdown"),
    ]
    readme = (ROOT / project["readme"]).read_text(encoding="utf-8")
    head = "".join(f"{key}: {value}\n" for key, value in fields)
    return f"{head}\n{readme}".encode()


def _stem(project: Dict[str, Any]) -> str:
    # File names use the normalized name, runs of "-", "_", "." as one "_" (PEP 427, PEP 625).
    return f"{re.sub(r'[-_.]+', '_', project['name']).lower()}-{project['version']}"


def _project() -> Dict[str, Any]:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib.loads(text)["project"]
    return parse_toml(text)["project"]


# A basic string, punctuation, a bare key or value, a comment.
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[\[\]{},=]|[^\s\[\]{},=#"]+|#[^\n]*')


def parse_toml(text: str) -> Dict[str, Any]:
    """Reads pyproject.toml on Python 3.9 and 3.10, which have no ``tomllib``: the TOML subset this
    file uses ([tables]; keys set to basic strings, booleans, and arrays and inline tables of
    those). Anything else raises ``ValueError`` rather than being misread.
    """
    tokens = _TOKEN.findall(text)
    if re.sub(r"\s", "", "".join(tokens)) != re.sub(r"\s", "", text):
        raise ValueError("pyproject.toml uses TOML this backend cannot read without tomllib")
    tokens = [token for token in reversed(tokens) if not token.startswith("#")]

    def take(expected: Optional[str] = None) -> str:
        token = tokens.pop() if tokens else "end of file"
        if expected is not None and token != expected:
            raise ValueError(f"pyproject.toml: expected {expected!r}, found {token!r}")
        return token

    def value() -> Any:
        token = take()
        if token.startswith('"'):
            return json.loads(token)  # TOML's basic-string escapes are JSON's
        if token in ("true", "false"):
            return token == "true"
        if token not in ("[", "{"):
            raise ValueError(f"pyproject.toml: cannot read the value {token!r} without tomllib")
        closing = "]" if token == "[" else "}"
        items: List[Any] = []
        while tokens and tokens[-1] != closing:
            items.append(value() if token == "[" else (take(), take("="), value()))
            if tokens and tokens[-1] == ",":
                take()
        take(closing)
        return items if token == "[" else {key: item for key, _, item in items}

    document: Dict[str, Any] = {}
    table = document
    while tokens:
        key = take()
        if key == "[":
            table = document
            for part in take().split("."):
                table = table.setdefault(part, {})
            take("]")
        else:
            take("=")
            table[key] = value()
    return document
