# The keptn-task launcher of Python tasks. (This first line is a comment: python3 -x skips it.)
"""Runs a Keptn task's Python file as ``python3 FILE ARGS`` would, and ends it through the one exit path.

The bootstrap runner starts ``python3 [CMD_ARGS] task_launch.py FILE [ARGS]``. The file runs as
the ``__main__`` module, with ``__file__``, ``sys.argv`` and ``sys.path[0]`` as ``python3 FILE``
sets them, and an uncaught exception is reported as Python reports it (the launcher's own frames
left out). What the launcher adds is the end: the system keeps the low 8 bits of an exit code, so
``sys.exit(256)`` would end a failed task with 0, a success. Here every code a task asks for
(``sys.exit``, ``raise SystemExit``, ``os._exit``, ``posix._exit``) ends through ``task_exit_code``, the Python
twin of the TypeScript policy's ``taskExitCode`` (``sdk/src/contract/process-policy.ts``);
``test/safety/exit-path.test.ts`` holds both to one rule for every code from -65535 to 65535.

Standard library only, and nothing imported that ``python3 FILE`` does not import itself: it
costs the task's start-up next to nothing.
"""

import os
import sys

#: The exit code of a run that never started: bad usage (EX_USAGE), as the runner's own.
_USAGE_INVALID = 64


def task_exit_code(code: object) -> int:
    """The exit code to end with for the code a task asked for.

    ``None`` is 0; an integer keeps its low 8 bits, as the system would, except that a code that
    would read as 0 only through that cut (256, -256, ...) is 1; anything else is 1, as Python
    ends ``sys.exit("message")``.
    """
    if code is None:
        return 0
    if not isinstance(code, int):
        return 1
    # The value as CPython's exit reads it: an int subclass's own __int__, __index__ or __ne__
    # do not count (int.__index__ is the base type's).
    value = int.__index__(code)
    low = value % 256
    return 1 if low == 0 and value != 0 else low


def _exit_code_of(error: SystemExit) -> int:
    """The code a ``SystemExit`` asks for, printed first when it is a message (as Python does)."""
    code = error.code
    if code is not None and not isinstance(code, int):
        try:
            print(code, file=sys.stderr)
        except Exception:  # noqa: BLE001 - a message that cannot be printed still ends with 1
            pass
    return task_exit_code(code)


def _skips_first_line() -> bool:
    """Whether the interpreter was started with ``-x`` (skip the first line of the source)."""
    words = getattr(sys, "orig_argv", [])[1:]
    at = 0
    while at < len(words) and words[at].startswith("-") and words[at] != "--":
        word = words[at]
        at += 1
        if word.startswith("--"):
            at += word == "--check-hash-based-pycs"
            continue
        for index, option in enumerate(word[1:], start=1):
            if option in "WX":
                # The option's value is the rest of the word, or else the next word.
                at += index == len(word) - 1
                break
            if option == "x":
                return True
    return False


def _task_traceback(tb):  # type: ignore[no-untyped-def]
    """The traceback from the task's first frame on: the launcher's frames left out."""
    here = os.path.abspath(__file__)
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) == here:
        tb = tb.tb_next
    return tb


def _run(path: str) -> None:
    """Runs the file at ``path`` as the ``__main__`` module, as ``python3 FILE`` does."""
    import importlib.machinery
    import types

    with open(path, "rb") as file:
        source = file.read()
    if _skips_first_line():
        newline = source.find(b"\n")
        source = b"" if newline < 0 else b"\n" + source[newline + 1 :]
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__cached__ = None  # type: ignore[attr-defined]
    main.__loader__ = importlib.machinery.SourceFileLoader("__main__", path)
    main.__builtins__ = __builtins__  # type: ignore[attr-defined]
    sys.modules["__main__"] = main
    code = compile(source, path, "exec", dont_inherit=True)
    exec(code, main.__dict__)


def guard_os_exit() -> None:
    """Makes ``os._exit`` (and ``posix._exit``, the same function) end through ``task_exit_code``.

    Also used by ``keptn-task test`` around ``python3 -m unittest``.
    """
    raw_exit = os._exit

    def guarded_exit(code: int) -> None:
        raw_exit(task_exit_code(code))

    # os._exit is posix._exit (nt._exit on Windows): both names end through the guard.
    os._exit = guarded_exit  # type: ignore[assignment]
    platform = sys.modules.get(os.name)
    if platform is not None and getattr(platform, "_exit", None) is raw_exit:
        platform._exit = guarded_exit  # type: ignore[attr-defined]


def main() -> None:
    """Runs the task named by ``sys.argv[1]`` and ends with its exit code (see the module doc)."""
    if sys.flags.inspect:
        # -i or PYTHONINSPECT: after the task python would read its input and end with 0.
        print(
            "keptn-task: Cannot run the task: python was started with -i or PYTHONINSPECT, which "
            "would end with 0 whatever the task's own exit code: remove it",
            file=sys.stderr,
        )
        os._exit(_USAGE_INVALID)
    path = sys.argv[1]
    sys.argv = sys.argv[1:]
    # python3 FILE puts the folder of FILE first on sys.path (not with -P or -I).
    if not getattr(sys.flags, "safe_path", False) and sys.path:
        sys.path[0] = os.path.dirname(os.path.realpath(path))
    guard_os_exit()
    try:
        _run(path)
    except SystemExit as error:
        sys.exit(_exit_code_of(error))
    except BaseException as error:  # noqa: BLE001 - reported as Python reports it, then ended
        tb = _task_traceback(error.__traceback__)
        sys.excepthook(type(error), error.with_traceback(tb), tb)
        sys.exit(130 if isinstance(error, KeyboardInterrupt) else 1)


if __name__ == "__main__":
    main()
