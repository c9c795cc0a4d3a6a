"""The supervision half of the python-runtime's entry (``python_entry.py``): the task's process, its
signals, its masked output and how its end is reported, as the runner's ``supervise.ts`` and
``main.ts`` do.
"""

import os
import signal
import sys
import time

from python_entry_checks import NotRun, Plain, TerminationLog, plain_run, termination_log_path

#: How long output may keep flowing after the task exited (``DRAIN_MS`` of the process policy).
_DRAIN_S = 2.0
_READ_BYTES = 65536


def hand_over(runner: list) -> None:
    """Replaces this process with the bootstrap runner (same pid, environment and streams)."""
    try:
        os.execvp(runner[0], runner)
    except OSError as error:
        # As the runner reports a runtime it cannot start (RuntimeMissingError, 127).
        reason = f'Cannot start the runner "{runner[0]}": {error.strerror}'
        end_before_start(reason, {"code": "RUNTIME_MISSING", "exitCode": 127}, 127)


def end_before_start(reason: str, fields: dict, exit_code: int) -> None:
    """Ends a run that never started: the reason in the termination log and one log line."""
    TerminationLog(termination_log_path(os.environ), None).write(reason, True)
    log_line("error", reason, fields, None)
    sys.exit(exit_code)


def log_line(level: str, message: str, fields: dict, secrets) -> None:  # type: ignore[no-untyped-def]
    """One line of the runner's log on stderr, in its shape (``log-line.ts``), masked."""
    import json
    from datetime import datetime, timezone

    stamp = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    entry = {"level": level, "time": stamp, "name": "keptn-task-runner", **fields, "msg": message}
    line = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    if secrets is not None:
        line = secrets.mask(line)
    _write_all(2, (line + "\n").encode("utf-8", "surrogatepass"))


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]


class NotStarted(Exception):
    """The task's process could not be started (its interpreter is missing, say)."""


class Supervisor:
    """The task's process, the stop rule (first signal forwarded, a later one kills) and its output."""

    def __init__(self, plan: Plain) -> None:
        self.plan = plan
        self.pid = 0
        self.forwarded = None
        self.first_at = 0.0
        self.killed = False
        self.second = None
        self.pipe_errors: list = []
        #: Set once the task has exited (not yet reaped): no signal or timer touches it then.
        self.exited = False
        #: Whether the last byte the task wrote to stderr (through us) ended a line.
        self.at_line_start = True

    def log(self, level: str, message: str, fields: dict) -> None:
        """Logs a line of the runner's own, on a line of its own after the task's output."""
        if not self.at_line_start:
            self.at_line_start = True
            try:
                os.write(2, b"\n")
            except OSError:
                pass
        try:
            log_line(level, message, fields, self.plan.secrets)
        except OSError:
            pass

    def on_signal(self, number: int, _frame) -> None:  # type: ignore[no-untyped-def]
        """The stop rule: the first stop signal is passed on, a later one kills at once."""
        name = signal.Signals(number).name
        if self.exited:
            return
        if self.forwarded is None:
            self.forwarded, self.first_at = name, time.monotonic()
            self.log("warn", f"Received {name}: forwarded to the task", {"signal": name})
            self._send(number)
            if self.plan.grace_s <= 0:
                self.kill()
            else:
                signal.setitimer(signal.ITIMER_REAL, self.plan.grace_s)
            return
        if self.second is None:
            self.second = (name, (time.monotonic() - self.first_at) * 1000)
        signal.setitimer(signal.ITIMER_REAL, 0)
        self.kill()

    def kill(self, *_args) -> None:  # type: ignore[no-untyped-def]
        """Kills the task (after the grace period, or at a second signal)."""
        if self.exited:
            return
        self.killed = True
        self.log("warn", "Task still running after the signal: killed", {"signal": "SIGKILL"})
        self._send(signal.SIGKILL)

    def internal_failure(self, error: Exception) -> int:
        """Ends the task and reports a bug of the entry's own as the runner does (70)."""
        if not self.exited:
            self.exited = True
            signal.setitimer(signal.ITIMER_REAL, 0)
            os.kill(self.pid, signal.SIGKILL)
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        # Only the error's name: nothing of the task's data or secrets.
        reason = f"Runner failed: unhandled {type(error).__name__}"
        self.plan.termination.write(reason, True)
        self.log("error", reason, {"code": "INTERNAL", "exitCode": 70})
        return 70

    def _send(self, number: int) -> None:
        try:
            os.kill(self.pid, number)
        except OSError:
            pass  # exited meanwhile

    def start(self) -> list:
        """Starts the task with signals held until it runs; returns its ends of the pipes."""
        plan = self.plan
        held = (signal.SIGTERM, signal.SIGINT)
        signal.pthread_sigmask(signal.SIG_BLOCK, held)
        for number in held:
            signal.signal(number, self.on_signal)
        signal.signal(signal.SIGALRM, self.kill)
        actions = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0)]
        readers = []
        if plan.secrets is not None:
            for fd in (1, 2):
                reader, writer = os.pipe()
                actions += [(os.POSIX_SPAWN_DUP2, writer, fd), (os.POSIX_SPAWN_CLOSE, writer)]
                actions.append((os.POSIX_SPAWN_CLOSE, reader))
                readers.append((reader, writer, fd))
        try:
            self.pid = os.posix_spawnp(
                plan.command[0],
                plan.command,
                plan.env,
                file_actions=actions,
                setsigmask=(),
                setsigdef=(signal.SIGPIPE, signal.SIGXFSZ, *held),
            )
        except OSError as error:
            # Nothing ran: the runner starts it again, and reports what fails in its words.
            for reader, _writer, _fd in readers:
                os.close(reader)
            for number in held:
                signal.signal(number, signal.SIG_DFL)
            raise NotStarted() from error
        finally:
            for _reader, writer, _fd in readers:
                os.close(writer)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, held)
        return [(reader, fd) for reader, _writer, fd in readers]

    def wait(self, readers: list) -> int:
        """Copies the task's output (masked) until it ends; returns the task's wait status."""
        if readers:
            self._copy_masked(readers)
        if not self.exited:
            self._wait_exit(blocking=True)
        # Reaped only now: until here its pid stayed taken, so no signal reached another process.
        return os.waitpid(self.pid, 0)[1]

    def _wait_exit(self, blocking: bool) -> bool:
        """Whether the task has exited (it stays a zombie); then the grace timer is cancelled."""
        flags = os.WEXITED | os.WNOWAIT | (0 if blocking else os.WNOHANG)
        if os.waitid(os.P_PID, self.pid, flags) is None:
            return False
        self.exited = True
        signal.setitimer(signal.ITIMER_REAL, 0)
        return True

    def _copy_masked(self, readers: list) -> None:
        """Reads both pipes through a masker each; after the task exits, for ``_DRAIN_S`` more."""
        import codecs
        import select

        from keptn_task.masking import SecretMasker

        streams = {}
        poller = select.poll()
        for reader, fd in readers:
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            streams[reader] = (fd, decoder, SecretMasker(self.plan.secrets))
            poller.register(reader, select.POLLIN | select.POLLHUP | select.POLLERR)
        deadline = None
        while streams:
            if deadline is None and self._wait_exit(blocking=False):
                deadline = time.monotonic() + _DRAIN_S
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            if deadline is None:
                timeout = 0.05
            events = poller.poll(None if timeout is None else timeout * 1000)
            for reader, _event in events:
                fd, decoder, masker = streams[reader]
                chunk = os.read(reader, _READ_BYTES)
                if chunk:
                    self._emit(fd, masker.write(decoder.decode(chunk)))
                    continue
                self._end_stream(reader, streams, poller)
            if deadline is not None and time.monotonic() >= deadline:
                for reader in list(streams):
                    self._end_stream(reader, streams, poller)

    def _end_stream(self, reader: int, streams: dict, poller) -> None:  # type: ignore[no-untyped-def]
        fd, decoder, masker = streams.pop(reader)
        poller.unregister(reader)
        os.close(reader)
        self._emit(fd, masker.write(decoder.decode(b"", True)) + masker.end())

    def _emit(self, fd: int, text: str) -> None:
        if text == "" or self.pipe_errors and fd in [e[0] for e in self.pipe_errors]:
            return
        data = text.encode("utf-8", "surrogatepass")
        try:
            _write_all(fd, data)
        except OSError as error:
            # Our output is gone: keep reading and dropping the task's, so it runs to its end.
            self.pipe_errors.append((fd, error))
            return
        if fd == 2:
            self.at_line_start = data.endswith(b"\n")


def end_reason(sup: Supervisor, exit_code: int, died_of) -> str:  # type: ignore[no-untyped-def]
    """``taskEndReason`` of the process policy, for what the supervisor saw."""
    if sup.second is not None:
        return f"Task killed at a second {sup.second[0]}, {sup.second[1] / 1000:.1f} s after the first"
    if sup.killed:
        grace = sup.plan.grace_s
        shown = int(grace) if grace == int(grace) else grace
        return f"Task did not stop within {shown} s of {sup.forwarded or 'the signal'}: killed"
    if sup.forwarded is not None:
        return f"Task stopped by {sup.forwarded} with exit code {exit_code}"
    if died_of is not None:
        return f"Task died of {died_of} (exit code {exit_code})"
    return f"Task exited with code {exit_code}"


def run(plan: Plain) -> int:
    """Runs the task; returns the exit code to end with (as the runner's ``runChild``)."""
    sup = Supervisor(plan)
    started = time.monotonic()
    readers = sup.start()
    try:
        status = sup.wait(readers)
    except Exception as error:  # noqa: BLE001 - a bug of ours must not pass for the task's end
        return sup.internal_failure(error)
    duration_ms = round((time.monotonic() - started) * 1000)
    died_of = None
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        exit_code = 128 + number
        try:
            died_of = signal.Signals(number).name
        except ValueError:
            died_of = f"signal {number}"
    else:
        exit_code = os.WEXITSTATUS(status)
    for _fd, error in sup.pipe_errors:
        why = f"{os.strerror(error.errno)} (os error {error.errno})" if error.errno else str(error)
        sup.log("warn", f"Cannot write the task's output: {why}", {})
    if exit_code == 0:
        plan.termination.mask_task_words()
        return 0
    reason = end_reason(sup, exit_code, died_of)
    plan.termination.write(reason)
    fields = {"exitCode": exit_code, "durationMs": duration_ms, "source": plan.source}
    sup.log("error", reason, fields)
    return exit_code


def main() -> None:
    """Runs the task named by the environment, or hands over to the runner (see the module doc)."""
    # A stop signal before the task starts ends this process as it ends any (no traceback).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    runner = sys.argv[1:]
    if not runner:
        print("keptn-task: usage: python3 python_entry.py RUNNER-COMMAND...", file=sys.stderr)
        sys.exit(64)
    try:
        plan = plain_run(os.environ, os.environb, os.path.dirname(os.path.abspath(__file__)))
    except NotRun as stop:
        # As the runner does when a signal comes while it fetches the code.
        reason = f"Received {stop.name} before the task started: not run"
        end_before_start(reason, {"signal": stop.name}, stop.exit_code)
    except Exception:  # noqa: BLE001 - nothing ran: the runner checks again and words what fails
        plan = None
    if plan is None:
        hand_over(runner)
    try:
        code = run(plan)  # type: ignore[arg-type]
    except NotStarted:
        code = None
    finally:
        try:
            plan.remove_scratch()  # type: ignore[union-attr]
        except OSError:
            pass  # a folder in TMPDIR that the container's end removes anyway
    if code is None:
        hand_over(runner)
    sys.exit(code)
