"""The one safe way to read and extract one report file: time and memory limits, every failure named.

    extract_one(path, ...)   the ExtractedReport, or a ReadError / NotAReportError / ExtractionLimitError
                             that names the file and the reason
    try_extract(path, ...)   (report, None) or (None, reason): for batch runs (build's pool, the Ray
                             workers), where one bad file never stops the others

``isolate=True`` (add, the dashboard's uploads) runs the work in a child process that is killed past the
time or memory limit, so no file can hang the caller or take its memory.  Without it (build's pool
workers and Ray's, already processes of their own) the time limit is an interval timer in this process,
which stops the extraction at its next Python step, where a pathological file spends its time.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path

from etl import errors
from etl.errors import EtlError, ReadError
from etl.extract.pipeline import ExtractedReport, process_document
from etl.read import DEFAULT_MAX_BYTES, read_document
from etl.write.files import PAUSE_ENV, pause_point

DEFAULT_TIME_LIMIT = 120.0  # seconds to read and extract one file (build and add alike)
DEFAULT_MEMORY_LIMIT = 2 * 1024**3  # bytes of address space for that work


class ExtractionLimitError(ReadError):
    """Reading a file took too long or too much memory (a decompression bomb, a pathological file)."""


def extract_one(
    path: str | Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
    isolate: bool = False,
) -> ExtractedReport:
    """Read and extract one file within the limits (``time_limit=None``: none); see the module's note."""
    path = Path(path)
    if isolate and time_limit is not None:
        return _extract_isolated(path, max_bytes, time_limit, memory_limit)
    try:
        with _time_limit(time_limit):
            return _extract(path, max_bytes)
    except _TookTooLong:
        raise ExtractionLimitError(path.name or str(path), _too_long(time_limit)) from None


def try_extract(path: str | Path, **options) -> tuple[ExtractedReport | None, str | None]:
    """``extract_one`` for batch runs: (report, None), or (None, the reason) for a file that gave none."""
    try:
        return extract_one(path, **options), None
    except EtlError as exc:
        return None, getattr(exc, "reason", str(exc))
    except Exception as exc:  # a bug in one reader must not lose the other files; it is reported by name
        return None, f"unexpected error: {type(exc).__name__}: {exc}"


def _too_long(seconds: float | None) -> str:
    return (
        f"reading it took longer than {seconds or 0:g} s and was stopped (a decompression bomb or a "
        "pathological file?); convert it to .txt or .docx and try again"
    )


def _extract(path: str | Path, max_bytes: int) -> ExtractedReport:
    return process_document(read_document(path, max_bytes=max_bytes))


class _TookTooLong(Exception):
    """Raised by the interval timer of ``_time_limit``."""


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Stop the work inside after ``seconds`` (an interval timer; main thread only, else no limit)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(signum, frame):
        raise _TookTooLong

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_FORKSERVER = None


def _context():
    """Where the extraction child comes from.

    A single-threaded process (the command line) forks: the child starts at once with the modules
    already imported.  A threaded one (Streamlit) must not fork (a child could inherit a lock another
    thread holds), so it uses a forkserver: a clean, single-threaded parent started once.
    """
    global _FORKSERVER
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    if _FORKSERVER is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])  # this module imports the whole extraction once
        _FORKSERVER = ctx
    return _FORKSERVER


_MAIN_LOCK = threading.Lock()


@contextlib.contextmanager
def _blank_main():
    """Hide the running program's ``__main__`` from multiprocessing while a child starts.

    A forkserver child first imports the parent's ``__main__`` file.  Under Streamlit that is the
    dashboard script (and Streamlit's test runner leaves it there), so the child would run the whole
    dashboard before extracting and then hit its memory limit.  The child needs nothing from it.
    """
    with _MAIN_LOCK:
        saved = sys.modules.get("__main__")
        blank = sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:  # unless another thread (a Streamlit rerun) has set its own meanwhile
            if saved is not None and sys.modules.get("__main__") is blank:
                sys.modules["__main__"] = saved


def _child(conn, path: str, max_bytes: int, memory_limit: int | None, pause: str = "") -> None:
    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    try:
        pause_point("extract-" + Path(path).name, pause)  # test hook: a reader stuck on a hostile file
        conn.send(("ok", _extract(path, max_bytes)))
    except EtlError as exc:
        conn.send(("error", type(exc).__name__, getattr(exc, "reason", str(exc))))
    except MemoryError:
        conn.send(("limit", f"reading it needs more than {(memory_limit or 0) >> 20} MB of memory; refused"))
    except BaseException as exc:  # reported by name in the parent, like build does
        conn.send(("error", "", f"unexpected error: {type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _extract_isolated(
    path: Path, max_bytes: int, time_limit: float, memory_limit: int | None
) -> ExtractedReport:
    name = path.name or str(path)
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    pause = os.environ.get(PAUSE_ENV, "")  # the forkserver's children do not see later changes to os.environ
    proc = ctx.Process(target=_child, args=(sender, str(path), max_bytes, memory_limit, pause), daemon=True)
    with _blank_main():
        proc.start()
    sender.close()
    try:
        if not receiver.poll(time_limit):
            raise ExtractionLimitError(name, _too_long(time_limit))
        try:
            msg = receiver.recv()
        except EOFError:
            proc.join(5)
            raise ReadError(name, f"the reader crashed on this file (exit code {proc.exitcode})") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        receiver.close()
    if msg[0] == "ok":
        return msg[1]
    if msg[0] == "limit":
        raise ExtractionLimitError(name, msg[1])
    cls = getattr(errors, msg[1], None) if msg[1] else None
    if isinstance(cls, type) and issubclass(cls, (ReadError, errors.NotAReportError)):
        raise cls(name, msg[2])
    raise ReadError(name, msg[2])
