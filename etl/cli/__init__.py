"""The command line: `congress COMMAND` (the installed script) or `python -m etl COMMAND`.

One click group; the commands live by what they do (build.py: reports in; export.py: data out; corrections.py:
analysts' corrections; lifecycle.py: backup and restore) and share shared.py's options and error handling.
"""

from __future__ import annotations

import click

from etl import __version__
from etl.cli.build import add_cmd, build_cmd, extract_cmd
from etl.cli.corrections import correct_cmd, corrections_cmd
from etl.cli.export import export_cmd, export_parquet_cmd, poster_cmd
from etl.cli.lifecycle import backup_cmd, restore_cmd

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__)
def cli() -> None:
    """人大常委会工作报告 → facts with provenance → DuckDB.

    Every command has --help. Errors are one line on stderr: exit 2 for a refusal (bad arguments, a missing
    file, a damaged database), 1 when nothing could be loaded or a backup cannot be trusted, 130 on Ctrl-C.
    """


for _command in (
    build_cmd,
    extract_cmd,
    export_cmd,
    export_parquet_cmd,
    add_cmd,
    correct_cmd,
    corrections_cmd,
    backup_cmd,
    restore_cmd,
    poster_cmd,
):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> int:
    """Run one command (argv: the arguments after the program name); returns the exit code."""
    try:
        cli.main(args=argv)
    except SystemExit as exc:  # click always ends this way: the code is the command's
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
