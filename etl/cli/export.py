"""Data out: export (one table: CSV, XLSX, Parquet), export-parquet (partitioned), poster (数说 one-pagers).

python -m etl poster --jurisdiction 郑州市 --year 2023 --out p.png      (or p.pdf)
python -m etl poster --all --out-dir posters/ [--format png,pdf]
"""

from __future__ import annotations

from pathlib import Path

import click

from etl.cli.shared import PATH, command, db_option, fail
from etl.ops import parquet
from etl.ops.export import export_db
from etl.write.connect import open_readonly


@command("export", short_help="export facts joined with report metadata and metric labels")
@db_option(required=True, help="DuckDB file to read")
@click.option("--format", "fmt", required=True, type=click.Choice(["csv", "parquet", "xlsx"]))
@click.option("--out", required=True, type=PATH, help="output file")
def export_cmd(db: Path, fmt: str, out: Path) -> int:
    """Write the facts table joined with report metadata and metric labels."""
    n = export_db(db, fmt, out)
    click.echo(f"wrote {n} facts to {out}")
    return 0


@command("export-parquet", short_help="write facts and reports as Parquet partitioned by province and year")
@db_option(required=True, help="DuckDB file to read")
@click.option("--out", required=True, type=PATH, help="output folder (facts/ and reports/ replaced)")
@click.option(
    "--corrected",
    is_flag=True,
    help="write facts with analysts' corrections applied (facts_current) instead of as extracted",
)
def export_parquet_cmd(db: Path, out: Path, corrected: bool) -> int:
    """Write <out>/facts/province=<省>/year=<YYYY>/part-0.parquet, the same for reports/, and
    problems.parquet: the Hive layout Spark, Trino and DuckDB read. province is 全国 for national reports
    and 未知 when unknown; year is the fact's period_end (else the report's, else 未知). See
    docs/distributed.md."""
    s = parquet.export_db(db, out, corrected=corrected)
    click.echo(
        f"wrote {s.facts} facts and {s.reports} reports in {len(s.partitions)} province/year partitions "
        f"to {out} (facts/, reports/, problems.parquet: {s.problems} files not loaded)"
    )
    return 0


@command("poster", short_help="make 数说 one-page posters (PNG at 300 dpi, or PDF) from the database")
@db_option(help="the database")
@click.option("--jurisdiction", help="e.g. 郑州市, 全国")
@click.option("--year", help="2023, or a term such as 2018-2022")
@click.option("--out", type=PATH, help="the file to write: .png or .pdf")
@click.option("--all", "every", is_flag=True, help="every jurisdiction and period of the database")
@click.option("--out-dir", type=PATH, help="with --all: the folder to write into")
@click.option("--format", "formats", default="png", show_default=True, help="with --all: png, pdf or png,pdf")
def poster_cmd(
    db: Path,
    jurisdiction: str | None,
    year: str | None,
    out: Path | None,
    every: bool,
    out_dir: Path | None,
    formats: str,
) -> int:
    """A portrait A4 poster for one jurisdiction and year: headline numbers with units, the change on
    the previous year (flows only), small charts, the source reports and the caveat."""
    # The one import inside a function in the CLI: posters are drawn by the dashboard's layer (app/), and etl
    # must not depend on app at import time (the layers run pages → app → etl, never back).
    from app import poster

    if every == bool(jurisdiction or year or out):
        fail("give either --jurisdiction, --year and --out, or --all with --out-dir")
    if not db.exists():
        fail(f"no database at {db}: run `make build` or `python -m etl build --db {db}` first")
    try:
        con = open_readonly(db)
        try:
            if not every:
                if not (jurisdiction and year and out):
                    fail("--jurisdiction, --year and --out are all needed")
                if out.suffix.lstrip(".").lower() not in ("png", "pdf"):
                    fail(f"--out must end in .png or .pdf, not {out.name}")
                data = poster.poster_data(con, jurisdiction, poster.parse_period(year))
                out.parent.mkdir(parents=True, exist_ok=True)
                poster.write_many([(data, out)])
                click.echo(
                    f"{out}  ({data.jurisdiction} {data.period_label}, {len(data.cards)} numbers, "
                    f"{len(data.sources)} reports)"
                )
                return 0
            if not out_dir:
                fail("--all needs --out-dir")
            fmts = [f.strip().lower() for f in formats.split(",") if f.strip()]
            if not fmts or any(f not in ("png", "pdf") for f in fmts):
                fail(f"--format must be png, pdf or png,pdf, not {formats!r}")
            items = []
            for jur, period in poster.all_periods(con):
                data = poster.poster_data(con, jur, period)
                items += [(data, out_dir / f"{data.file_stem}.{f}") for f in fmts]
        finally:
            con.close()
        out_dir.mkdir(parents=True, exist_ok=True)
        poster.write_many(items)
        for data, path in items:
            click.echo(f"{path}  ({data.jurisdiction} {data.period_label})")
        click.echo(f"{len(items)} posters in {out_dir}")
        return 0
    except poster.PosterError as exc:
        fail(str(exc))
