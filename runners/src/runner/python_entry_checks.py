"""What ``python_entry.py`` runs itself: the checks that a run is plain, the task's code, the termination log.

``plain_run`` answers ``None`` for anything the bootstrap runner must see (and then checks,
refuses or reports in its own words): each rule below only ever says "not plain", never "bad".
"""

import json
import os
import re
import signal
import stat

#: The runner's options this entry reads itself; any other ``KEPTN_TASK_*`` goes to the runner.
PLAIN_OPTIONS = ("KEPTN_TASK_TERMINATION_LOG", "KEPTN_TASK_PYTHON", "KEPTN_TASK_GRACE_SECONDS")
#: The stop signals a supervisor forwards (``STOP_SIGNALS``).
JOB_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_CONTEXT_NAMES = ("workloadName", "appName", "appVersion", "workloadVersion")
_TASK_TYPES = ("pre", "post", "promotion", "")
_OBJECT_TYPES = ("App", "Workload", "")
MAX_CODE_BYTES = 5 * 1024 * 1024
_DEFAULT_GRACE_S = 10.0
_MAX_TIMER_S = 2_147_483.647
_TERMINATION_MAX_BYTES = 4096
DEFAULT_TERMINATION_LOG = "/dev/termination-log"


def termination_log_path(environ) -> str:  # type: ignore[no-untyped-def]
    """Where the termination message goes: ``KEPTN_TASK_TERMINATION_LOG``, else Kubernetes' path."""
    return environ.get("KEPTN_TASK_TERMINATION_LOG", DEFAULT_TERMINATION_LOG)
#: JavaScript's String.prototype.trim white space (``str.strip()`` differs at \x1c-\x1f, \ufeff).
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
#: CMD_ARGS words this entry splits itself (no quote, escape or comment for shlex to read).
_PLAIN_ARGS = re.compile(r"[A-Za-z0-9_./=:,@+%-]*(?:[ \t\r\n]+[A-Za-z0-9_./=:,@+%-]+)*[ \t\r\n]*")
class NotRun(Exception):
    """A stop signal arrived before the task started."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.name = signal.Signals(number).name
        self.exit_code = 128 + number


class Plain:
    """A run this entry carries out itself."""

    def __init__(self, **fields) -> None:  # type: ignore[no-untyped-def]
        self.command = fields["command"]
        self.env = fields["env"]
        self.secrets = fields["secrets"]
        self.grace_s = fields["grace_s"]
        self.source = fields["source"]
        self.termination = TerminationLog(fields["termination_log"], self.secrets)
        #: The scratch folder holding fetched code, removed when the run ends.
        self.scratch = fields.get("scratch")

    def remove_scratch(self) -> None:
        if self.scratch is None:
            return
        for name in os.listdir(self.scratch):
            os.remove(os.path.join(self.scratch, name))
        os.rmdir(self.scratch)


def js_trim(text: str) -> str:
    return text.strip(_JS_SPACE)


def plain_run(environ, environb, here: str):  # type: ignore[no-untyped-def]
    """The run to carry out, or ``None`` when the runner must see it (see the module doc)."""
    contract = {}
    for name in ("SECURE_DATA", "DATA", "KEPTN_CONTEXT", "SCRIPT", "CMD_ARGS"):
        raw = environb.get(name.encode())
        try:
            contract[name] = None if raw is None else raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
    if not _plain_environment(environ):
        return None
    if not _plain_context(contract["KEPTN_CONTEXT"]) or not _plain_data(contract["DATA"]):
        return None
    grace_s = _grace_seconds(environ.get("KEPTN_TASK_GRACE_SECONDS"))
    after = _task_args(contract["CMD_ARGS"] or "")
    python = environ.get("KEPTN_TASK_PYTHON", "python3")
    if grace_s is None or after is None or python == "":
        return None
    script = contract["SCRIPT"] or ""
    # No white space around it, by JavaScript's rule or Python's (the runner trims it).
    if script == "" or js_trim(script) != script or script.strip() != script:
        return None
    try:
        secrets = _registry(contract["SECURE_DATA"], here)
    except Exception:  # noqa: BLE001 - the runner registers it again, and reports what fails
        return None
    scratch = None
    if script[:7].lower() == "http://" or script[:8].lower() == "https://":
        from python_entry_fetch import fetch_plain

        fetched = fetch_plain(script, environ)
        if fetched is None:
            return None
        path, source = fetched
        scratch = os.path.dirname(path)
    elif "://" in script:
        return None
    else:
        path, source = _local_code(script), script
        if path is None:
            return None
    return Plain(
        command=[python, os.path.join(here, "task_launch.py"), path, *after],
        env=_task_env(environb, here),
        secrets=secrets,
        grace_s=grace_s,
        source=source,
        termination_log=termination_log_path(environ),
        scratch=scratch,
    )


def _plain_environment(environ) -> bool:  # type: ignore[no-untyped-def]
    """No runner option but ours, no OpenTelemetry setting, no proxy, no PYTHONINSPECT."""
    for name in environ:
        if name.startswith("KEPTN_TASK_") and name not in PLAIN_OPTIONS:
            return False
        if name.startswith("OTEL_") or name.lower().endswith("_proxy"):
            return False
    return environ.get("PYTHONINSPECT", "") == ""


def _strict_json(text: str):  # type: ignore[no-untyped-def]
    """``text`` as JSON that JavaScript's ``JSON.parse`` reads the same way, else ``None``."""

    def refuse(_value):  # type: ignore[no-untyped-def]
        raise ValueError("not JSON")

    def pairs(items):  # type: ignore[no-untyped-def]
        keys = [key for key, _ in items]
        if len(set(keys)) != len(keys) or "__proto__" in keys:
            raise ValueError("duplicate key")
        return dict(items)

    try:
        return json.loads(text, parse_constant=refuse, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return None


def _plain_context(raw) -> bool:  # type: ignore[no-untyped-def]
    """``isPlainContext`` of the contract: a context as the operator writes it."""
    if raw is None or js_trim(raw) == "":
        return True
    value = _strict_json(raw)
    if not isinstance(value, dict):
        return False
    if any(name in value and not isinstance(value[name], str) for name in _CONTEXT_NAMES):
        return False
    # Both present, as the operator always writes them ("" for a hand-made KeptnTask).
    for name, accepted in (("taskType", _TASK_TYPES), ("objectType", _OBJECT_TYPES)):
        if not isinstance(value.get(name), str) or value[name] not in accepted:
            return False
    if "traceparent" in value and not isinstance(value["traceparent"], str):
        return False
    metadata = value.get("metadata", {})
    return isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())


def _plain_data(raw) -> bool:  # type: ignore[no-untyped-def]
    """``readDataMap`` without an issue: unset, or a flat map of strings."""
    if raw is None or js_trim(raw) == "":
        return True
    value = _strict_json(raw)
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def _grace_seconds(raw):  # type: ignore[no-untyped-def]
    """``parseGraceSeconds``: the default when unset, ``None`` for what the runner refuses."""
    if raw is None:
        return _DEFAULT_GRACE_S
    if re.fullmatch(r"[0-9]+(\.[0-9]+)?", raw.strip(_JS_SPACE)) is None or raw != raw.strip():
        return None
    seconds = float(raw)
    # As Number() reads it: more digits than a double holds are Infinity, which the runner refuses.
    return min(seconds, _MAX_TIMER_S) if seconds != float("inf") else None


def _task_args(cmd_args: str):  # type: ignore[no-untyped-def]
    """The words after ``--`` in CMD_ARGS; ``None`` when there are words before it."""
    if _PLAIN_ARGS.fullmatch(cmd_args) is None:
        return None
    words = cmd_args.split()
    if not words:
        return []
    if words[0] != "--":
        return None
    return words[1:]


def _registry(secure_data, here: str):  # type: ignore[no-untyped-def]
    """keptn_task's registry holding SECURE_DATA, or ``None`` when nothing is secret."""
    if secure_data is None or js_trim(secure_data) == "":
        return None
    import sys
    import types

    # Only the masker: keptn_task's own __init__ loads the whole SDK (~0.2 s cold).
    package = types.ModuleType("keptn_task")
    package.__path__ = [os.path.join(here, "python", "keptn_task")]  # type: ignore[attr-defined]
    sys.modules.setdefault("keptn_task", package)
    from keptn_task.masking import SecretRegistry

    secrets = SecretRegistry()
    secrets.register(secure_data)
    return secrets


def _local_code(script: str):  # type: ignore[no-untyped-def]
    """The file to run for a mounted ConfigMap (a file, or a folder holding ``code``), if plain."""
    try:
        info = os.stat(script)
        path = script
        if stat.S_ISDIR(info.st_mode):
            path = script.rstrip("/") + "/code"
            info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CODE_BYTES:
            return None
        with open(path, "rb") as file:
            code = file.read(MAX_CODE_BYTES + 1)
    except OSError:
        return None
    return path if js_trim(code.decode("utf-8", "replace")) != "" else None


def _task_env(environb, here: str) -> dict:  # type: ignore[no-untyped-def]
    """The task's environment: this one, with the runner's additions (``taskEnv``)."""
    env = dict(environb)
    env.setdefault(b"PYTHONUNBUFFERED", b"1")
    env.setdefault(b"PYTHONDONTWRITEBYTECODE", b"1")
    paths = [os.path.join(here, "python").encode(), env.get(b"PYTHONPATH", b"")]
    env[b"PYTHONPATH"] = b":".join(path for path in paths if path)
    return env


class TerminationLog:
    """The termination log as the process policy's ``TerminationLogWriter`` writes it."""

    def __init__(self, path: str, secrets) -> None:  # type: ignore[no-untyped-def]
        self.path = path
        self.secrets = secrets

    def write(self, reason: str, override: bool = False) -> bool:
        """Writes ``reason``; a reason the task wrote itself is kept (masked) unless ``override``."""
        written = None if override else self._read()
        if not override and written is None:
            return False
        own = written is not None and js_trim(written) != ""
        return self._replace(self._cut(written if own else reason))

    def mask_task_words(self) -> None:
        """Masks what the task wrote itself (after a success)."""
        written = self._read()
        if written:
            masked = self._cut(written)
            if masked != written:
                self._replace(masked)

    def _cut(self, text: str) -> str:
        if self.secrets is not None:
            text = self.secrets.mask(text)
        data = text.encode("utf-8", "surrogatepass")
        if len(data) <= _TERMINATION_MAX_BYTES:
            return text
        cut = data[:_TERMINATION_MAX_BYTES].decode("utf-8", "replace")
        return cut[:-1] if cut.endswith("\ufffd") else cut

    def _regular(self) -> bool:
        try:
            return stat.S_ISREG(os.lstat(self.path).st_mode)
        except OSError:
            return False

    def _read(self):  # type: ignore[no-untyped-def]
        longest = 0 if self.secrets is None else self.secrets.longest
        try:
            if not self._regular():
                return None
            with open(self.path, "rb") as file:
                if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                    return None
                return file.read(_TERMINATION_MAX_BYTES + 4 * longest + 4).decode("utf-8", "replace")
        except OSError:
            return None

    def _replace(self, text: str) -> bool:
        try:
            if not self._regular():
                return False
            with open(self.path, "r+b") as file:
                file.truncate(0)
                file.write(text.encode("utf-8", "surrogatepass"))
            return True
        except OSError:
            return False
