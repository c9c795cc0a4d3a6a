"""The shared test vectors (test/vectors/*.json) against keptn_task: one test per case, named
``test_NNN_<case>`` in a class per file (``ContextVectors`` for context.json...), so that
``python3 -m unittest -v`` names each case and test/python/vectors.test.ts can count them.
test/sdk/vectors.test.ts runs the same files against the TS SDK.

Run from this folder with the package on the path (Python 3.10+: the data schemas are
dataclasses built with ``kw_only``):
``PYTHONPATH=../../sdk-python python3 -m unittest -v test_vectors``
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
import unittest
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

import keptn_task
from keptn_task.testing import run_handler
from keptn_task import (
    EXIT_CODES,
    SIGINT_EXIT_CODE,
    SIGTERM_EXIT_CODE,
    ConfigError,
    KeptnTaskError,
    SecretMasker,
    SecretRegistry,
    parse_context,
    parse_data,
    parse_deadline,
    parse_secure_data,
    task,
)
from keptn_task.masking import js_trim

VECTORS = Path(__file__).resolve().parent.parent / "vectors"


def text(value: Any) -> str:
    """The string a vector text stands for: a string, or a list of strings and repeats."""
    if isinstance(value, str):
        return value
    return "".join(part if isinstance(part, str) else part["repeat"] * part["times"] for part in value)


def raw(value: Any) -> Optional[str]:
    return None if value is None else text(value)


def read(file: str) -> List[Dict[str, Any]]:
    with open(VECTORS / file, encoding="utf-8") as handle:
        cases: List[Dict[str, Any]] = json.load(handle)["cases"]
    return cases


def run_task(env: Dict[str, Optional[str]], **options: Any) -> keptn_task.Task[Any]:
    """task() with only these variables set, its log discarded, no signal handlers."""
    present = {key: value for key, value in env.items() if value is not None}
    return task(
        present,
        handle_signals=False,
        log_stream=io.StringIO(),
        on_config_error="raise",
        **options,
    )


def config_error(run: Callable[[], Any]) -> ConfigError:
    try:
        run()
    except ConfigError as error:
        return error
    raise AssertionError("expected a ConfigError, none was raised")


class VectorCase(unittest.TestCase):
    """Checks shared by the vector classes."""

    def assert_issues(self, source: str, issues: List[Any], expected: List[Dict[str, Any]]) -> None:
        self.assertEqual(len(issues), len(expected), issues)
        for issue, want in zip(issues, expected):
            self.assertEqual((issue.source, issue.path), (source, want["path"]))
            if "messagePrefix" in want:
                self.assertTrue(issue.message.startswith(want["messagePrefix"]), issue.message)
                self.assertGreater(len(issue.message), len(want["messagePrefix"]))
            else:
                self.assertEqual(issue.message, text(want["message"]))

    def assert_config_error(self, error: ConfigError, source: str, expected: List[Dict[str, Any]]) -> None:
        parts = []
        for want in expected:
            where = source if want["path"] == "" else f"{source}.{want['path']}"
            if "messagePrefix" in want:
                parts.append(re.escape(f"{where}: {want['messagePrefix']}") + ".+")
            else:
                parts.append(re.escape(f"{where}: {text(want['message'])}"))
        pattern = re.escape("Invalid task environment: ") + "; ".join(parts)
        self.assertRegex(str(error), re.compile(f"^{pattern}$", re.DOTALL))
        self.assertEqual(error.exit_code, 78)


def context_as_ts(context: keptn_task.TaskContext) -> Dict[str, Any]:
    """A TaskContext in the TS SDK's shape: camelCase keys, unknown keys kept."""
    trace = context.trace
    return {
        **context.raw,
        "provided": context.provided,
        "workloadName": context.workload_name,
        "appName": context.app_name,
        "appVersion": context.app_version,
        "workloadVersion": context.workload_version,
        "taskType": context.task_type,
        "objectType": context.object_type,
        "metadata": context.metadata,
        "trace": None
        if trace is None
        else {
            "version": trace.version,
            "traceId": trace.trace_id,
            "parentId": trace.parent_id,
            "flags": trace.flags,
            "sampled": trace.sampled,
            "traceparent": trace.traceparent,
        },
    }


class ContextVectors(VectorCase):
    def check(self, case: Dict[str, Any]) -> None:
        context, issues = parse_context(raw(case["raw"]))
        env = {"KEPTN_CONTEXT": raw(case["raw"])}
        if "issues" not in case:
            self.assertEqual(issues, [])
            self.assertEqual(context_as_ts(context), case["context"])
            self.assertEqual(context_as_ts(run_task(env).context), case["context"])
        else:
            self.assert_issues("KEPTN_CONTEXT", issues, case["issues"])
            self.assert_config_error(config_error(lambda: run_task(env)), "KEPTN_CONTEXT", case["issues"])


_TYPES: Dict[str, type] = {"string": str, "number": float, "integer": int, "boolean": bool}


def dataclass_schema(description: Dict[str, Dict[str, Any]]) -> type:
    """The dataclass a language-neutral schema description stands for."""
    fields: List[Tuple[str, Any, Any]] = []
    for name, spec in description.items():
        kind: Any = _TYPES[spec["type"]]
        if spec.get("optional"):
            fields.append((name, Optional[kind], dataclasses.field(default=None)))
        elif "default" in spec:
            fields.append((name, kind, dataclasses.field(default=spec["default"])))
        else:
            fields.append((name, kind, dataclasses.field()))
    # kw_only: required fields may follow fields with defaults, in the description's order.
    return dataclasses.make_dataclass("Params", fields, frozen=True, kw_only=True)


class DataVectors(VectorCase):
    def check(self, case: Dict[str, Any]) -> None:
        description = case["schema"]
        schema = None if description is None else dataclass_schema(description)
        value, issues = parse_data(raw(case["raw"]), schema)
        env = {"DATA": raw(case["raw"])}
        if "issues" not in case:
            self.assertEqual(issues, [])
            self.assertEqual(self.as_dict(value, description), case["value"])
            self.assertEqual(self.as_dict(run_task(env, data_schema=schema).data, description), case["value"])
        else:
            self.assert_issues("DATA", issues, case["issues"])
            error = config_error(lambda: run_task(env, data_schema=schema))
            self.assert_config_error(error, "DATA", case["issues"])

    def as_dict(self, value: Any, description: Optional[Dict[str, Dict[str, Any]]]) -> Dict[str, Any]:
        if description is None:
            self.assertIsInstance(value, dict)
            return dict(value)
        result = {}
        for name, spec in description.items():
            item = getattr(value, name)
            if item is None and spec.get("optional"):
                continue  # absent in TS
            # Each field has its Python type: an int for an integer, a float for a number.
            self.assertIs(type(item), _TYPES[spec["type"]], name)
            result[name] = item
        return result


class SecureDataVectors(VectorCase):
    def check(self, case: Dict[str, Any]) -> None:
        secrets = SecretRegistry()
        value = raw(case["raw"])
        parsed, issues = parse_secure_data(value, case["json"], secrets)
        if "issues" not in case:
            self.assertEqual(issues, [])
            self.assertEqual(parsed, case["value"])
        else:
            self.assert_issues("SECURE_DATA", issues, case["issues"])
            self.assertIsNone(parsed)
            if value is not None and js_trim(value) != "":
                for issue in issues:
                    self.assertNotIn(value, issue.message)
        # Registered before anything else happens to it, valid or not.
        if value is not None and js_trim(value) != "":
            self.assertEqual(secrets.mask(value), "***")


class DeadlineVectors(VectorCase):
    def check(self, case: Dict[str, Any]) -> None:
        value, issues = parse_deadline(raw(case["raw"]))
        env = {"KEPTN_TASK_DEADLINE": raw(case["raw"])}
        if "issues" not in case:
            self.assertEqual(issues, [])
            self.assertEqual(value, case["value"])
            before = time.time()
            t = run_task(env)
            remaining = t.remaining_seconds()
            after = time.time()
            deadline = math.inf if case["value"] is None else case["value"] / 1000
            self.assertGreaterEqual(remaining, max(0.0, deadline - after))
            self.assertLessEqual(remaining, max(0.0, deadline - before))
            if deadline <= before:
                self.assertTrue(t.stopping.is_set())
        else:
            self.assert_issues("KEPTN_TASK_DEADLINE", issues, case["issues"])
            error = config_error(lambda: run_task(env))
            self.assert_config_error(error, "KEPTN_TASK_DEADLINE", case["issues"])


_WAIT_FOR_STOP = """
from keptn_task import task
t = task()
print("ready\\n", end="", flush=True)
t.stopping.wait(30)
print("stopping", flush=True)
"""


def shell_exit_code(name: str) -> int:
    """The exit code a shell reports for a process that the signal ended."""
    command = f"sh -c 'kill -{name[3:]} $$'; exit $?"
    return subprocess.run(["sh", "-c", command], check=False, stderr=subprocess.DEVNULL).returncode


class ExitCodesVectors(VectorCase):
    def check(self, case: Dict[str, Any]) -> None:
        if "code" in case:
            self.assertEqual(EXIT_CODES[case["code"]], case["exitCode"])
            self.assertEqual(KeptnTaskError("failed", case["code"]).exit_code, case["exitCode"])
            return
        name = case["signal"]
        self.assertEqual(shell_exit_code(name), case["exitCode"])
        self.assertEqual(128 + signal.Signals[name].value, case["exitCode"])
        if name == "SIGKILL":
            return
        self.assertEqual({"SIGTERM": SIGTERM_EXIT_CODE, "SIGINT": SIGINT_EXIT_CODE}[name], case["exitCode"])
        # A task that ends by itself after the signal, with task()'s default signal handling.
        child = subprocess.Popen(
            [sys.executable, "-c", _WAIT_FOR_STOP],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        assert child.stdout is not None
        self.assertEqual(child.stdout.readline(), "ready\n")
        child.send_signal(signal.Signals[name])
        with child.stdout:
            output = child.stdout.read()
        self.assertEqual(child.wait(timeout=30), case["exitCode"])
        self.assertIn(f'"msg":"Received {name}: task.stopping is set"', output)
        self.assertTrue(output.endswith("stopping\n"), output)


def splits(length: int) -> List[List[int]]:
    """Where a text case is split when it is streamed: everywhere, or every 1,000 characters."""
    if length > 1000:
        return [list(range(1000, length, 1000))]
    return [list(range(1, length)), *([i] for i in range(length + 1))]


class MaskingVectors(VectorCase):
    def check(self, case: Dict[str, Any]) -> None:
        secrets = SecretRegistry()
        for secret in case["secrets"]:
            secrets.register(text(secret))
        if "writes" in case:
            masker = SecretMasker(secrets)
            for written, output in case["writes"]:
                self.assertEqual(masker.write(written), output, written)
                self.assertLessEqual(masker.held, max(0, secrets.longest - 1))
            self.assertEqual(masker.end(), case["end"])
            return
        given = text(case["text"])
        masked = text(case["masked"])
        self.assertEqual(secrets.mask(given), masked)
        # Split in UTF-16 code units, as the TS test splits: a split inside a surrogate pair
        # is not possible in Python's text, so it falls back to the character's start.
        for points in splits(len(given)):
            masker = SecretMasker(secrets)
            output = []
            last = 0
            for point in [*points, len(given)]:
                output.append(masker.write(given[last:point]))
                last = point
            self.assertEqual("".join(output) + masker.end(), masked, f"split at {points}")


def fill(template: str, t: keptn_task.Task[Any]) -> str:
    """A handlers.json template filled in from the task: {data.KEY}, {secret}, {secret.KEY}..."""

    def value(match: "re.Match[str]") -> str:
        root, _, key = match.group(1).partition(".")
        if root == "data":
            found = t.data[key] if isinstance(t.data, dict) else getattr(t.data, key)
        elif root == "context":
            found = getattr(t.context, re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), key))
        else:
            found = t.secure_data if key == "" else t.secure_data[key]
        return str(found)

    return re.sub(r"\{([\w.]+)\}", value, template)


def vector_handler(action: Dict[str, Any]) -> Callable[[keptn_task.Task[Any]], object]:
    """The handler a handlers.json case describes."""

    def handler(t: keptn_task.Task[Any]) -> object:
        if "log" in action:
            t.log.info(fill(action["log"], t))
        message = fill(action.get("message", ""), t)
        then = action["then"]
        if then == "return":
            return message
        if then == "raise":
            raise ValueError(message)
        if then == "fail":
            t.fail(message, exit_code=action.get("exitCode", 1))
        if then == "succeed":
            t.succeed(message)
        return None

    return handler


class HandlersVectors(VectorCase):
    def check(self, case: Dict[str, Any]) -> None:
        options: Dict[str, Any] = {"secure_data": dict if case["secureJson"] else str}
        if case["schema"] is not None:
            options["data"] = dataclass_schema(case["schema"])
        given = case["input"]
        result = run_handler(
            vector_handler(case["handler"]),
            options,
            data=given["data"],
            secure_data=given["secureData"],
            context=given["context"],
        )
        self.assertEqual(result.exit_code, case["exitCode"])
        self.assertEqual(result.reason, case["reason"])
        with_codes = any("exitCode" in want for want in case["logs"])
        lines = [
            {
                "level": line["level"],
                "msg": line["msg"],
                **({"exitCode": line["exitCode"]} if with_codes and "exitCode" in line else {}),
            }
            for line in result.logs
        ]
        self.assertEqual(lines, case["logs"])


CLASSES: Dict[str, Type[VectorCase]] = {
    "context.json": ContextVectors,
    "data.json": DataVectors,
    "secure-data.json": SecureDataVectors,
    "deadline.json": DeadlineVectors,
    "exit-codes.json": ExitCodesVectors,
    "masking.json": MaskingVectors,
    "handlers.json": HandlersVectors,
}


def _slug(case: Dict[str, Any]) -> str:
    name = case.get("name") or case.get("code") or case.get("signal") or ""
    return re.sub(r"[^0-9a-z]+", "_", str(name).lower()).strip("_")[:60]


def _add_cases(cls: Type[VectorCase], file: str) -> None:
    for index, case in enumerate(read(file)):

        def test(self: VectorCase, case: Dict[str, Any] = case) -> None:
            self.check(case)  # type: ignore[attr-defined]

        name = f"test_{index:03d}_{_slug(case)}"
        test.__name__ = name
        test.__doc__ = None
        setattr(cls, name, test)


def _add_all() -> None:
    for file, cls in CLASSES.items():
        _add_cases(cls, file)


_add_all()


class VectorFiles(unittest.TestCase):
    def test_every_vector_file_is_checked(self) -> None:
        self.assertEqual(sorted(path.name for path in VECTORS.glob("*.json")), sorted(CLASSES))

    def test_the_exit_code_table_lists_every_code_of_exit_codes(self) -> None:
        codes = [case["code"] for case in read("exit-codes.json") if "code" in case]
        self.assertEqual(sorted(codes), sorted(EXIT_CODES))


if __name__ == "__main__":
    unittest.main()
