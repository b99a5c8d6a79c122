"""What every command shares: the command class that turns errors into one line and an exit code, the options
several commands take (--db, --max-mb, --time-limit, --lock-timeout), and the writer-lock wait message."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click
import duckdb

from etl.errors import EtlError

DEFAULT_DB = Path("data/congress.duckdb")
DEFAULT_LIBRARY = Path("data/corpus")
PATH = click.Path(path_type=Path)  # the library checks existence itself, with messages that say what to do

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
CommandDecorator = Callable[[Callable[..., Any]], click.Command]


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr and a non-zero exit: the shape of every refusal."""
    click.echo(f"error: {message}", err=True)
    raise click.exceptions.Exit(code)


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


def waiting(pid: int | None) -> None:
    """on_wait for the library's writer lock: say once what the command is waiting for."""
    who = f"pid {pid}" if pid else "another process"
    click.echo(f"waiting for another writer ({who}) to finish…", err=True)
    sys.stderr.flush()


class EtlCommand(click.Command):
    """A command whose callback returns its exit code, and whose library errors become one clear message.

    EtlError (the library's typed errors), OSError (disk full, permissions: the file is named) and DuckDB's
    own errors (a damaged database: how to get out) give ``error: …`` on stderr and exit 2, never a
    traceback; Ctrl-C gives exit 130.  Anything else is a bug and keeps its traceback.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            code = super().invoke(ctx)
        except EtlError as exc:
            fail(str(exc))
        except OSError as exc:
            where = exc.filename or ctx.params.get("db") or ctx.params.get("out") or "?"
            fail(f"{where}: {exc.strerror or exc}")
        except duckdb.Error as exc:
            where = ctx.params.get("db") or ctx.params.get("backup_dir") or "the database"
            fail(
                f"{where}: cannot use the database ({type(exc).__name__}: {str(exc)[:300]}); rebuild it "
                "(python -m etl build) or restore a backup (python -m etl restore)"
            )
        except KeyboardInterrupt:
            click.echo("interrupted; the database was left as it was", err=True)
            raise click.exceptions.Exit(130) from None
        ctx.exit(code or 0)


def command(name: str, *, short_help: str, epilog: str | None = None) -> CommandDecorator:
    """@command("build", short_help=…): an EtlCommand; its docstring is the description under --help."""
    return click.command(name, cls=EtlCommand, short_help=short_help, epilog=epilog)


# ---------------------------------------------------------------- options several commands take


def db_option(*, required: bool = False, help: str = "DuckDB file") -> Decorator:
    """--db: optional with data/congress.duckdb as default, or required where naming the file matters."""
    return click.option(
        "--db",
        type=PATH,
        required=required,
        default=None if required else DEFAULT_DB,
        show_default=not required,
        help=help,
    )


def _mb_to_bytes(_ctx: click.Context, _param: click.Parameter, mb: float) -> int:
    if mb <= 0:
        raise click.BadParameter(f"must be positive, not {mb:g}")
    return int(mb * 1024 * 1024)


def max_mb_option() -> Decorator:
    """--max-mb, handed to the library as max_bytes."""
    return click.option(
        "--max-mb",
        "max_bytes",
        type=float,
        default=50,
        show_default=True,
        metavar="MB",
        callback=_mb_to_bytes,
        help="refuse files larger than this",
    )


def _seconds_or_none(_ctx: click.Context, _param: click.Parameter, seconds: float | None) -> float | None:
    if seconds is not None and seconds < 0:
        raise click.BadParameter(f"must be 0 (none) or positive, not {seconds:g}")
    return seconds or None


def time_limit_option(then: str) -> Decorator:
    """--time-limit: seconds to read one file; 0 means none (None for the library)."""
    return click.option(
        "--time-limit",
        type=float,
        default=120,
        show_default=True,
        metavar="SECONDS",
        callback=_seconds_or_none,
        help=f"seconds to read one file before it is {then} (0: no limit)",
    )


def lock_timeout_option() -> Decorator:
    """--lock-timeout: how long a writing command waits for another writer (default: as long as it takes)."""
    return click.option(
        "--lock-timeout",
        type=click.FloatRange(min=0),
        default=None,
        metavar="SECONDS",
        help="wait at most this long for another writer to finish, then give up with exit 2 "
        "(0: do not wait; default: as long as it takes)",
    )
