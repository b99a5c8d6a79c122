"""`python -m etl poster`: 数说 one-pagers (app/poster.py) for one jurisdiction and year, or for all of them.

python -m etl poster --jurisdiction 郑州市 --year 2023 --out p.png      (or p.pdf)
python -m etl poster --all --out-dir posters/ [--format png,pdf]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_DB = Path("data/congress.duckdb")


def register(sub) -> None:
    """Add the `poster` subcommand to etl/cli.py's parser."""
    p = sub.add_parser(
        "poster",
        help="make 数说 one-page posters (PNG at 300 dpi, or PDF) from the database",
        description="A portrait A4 poster for one jurisdiction and year: headline numbers with units, the change "
        "on the previous year (flows only), small charts, the source reports and the caveat.",
    )
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"the database (default {DEFAULT_DB})")
    p.add_argument("--jurisdiction", help="e.g. 郑州市, 全国")
    p.add_argument("--year", help="2023, or a term such as 2018-2022")
    p.add_argument("--out", type=Path, help="the file to write: .png or .pdf")
    p.add_argument("--all", action="store_true", help="every jurisdiction and period of the database")
    p.add_argument("--out-dir", type=Path, help="with --all: the folder to write into")
    p.add_argument("--format", default="png", help="with --all: png, pdf or png,pdf (default png)")
    p.set_defaults(func=run)


def _fail(msg: str) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from app import poster
    from etl.write.connect import open_readonly

    if args.all == bool(args.jurisdiction or args.year or args.out):
        return _fail("give either --jurisdiction, --year and --out, or --all with --out-dir")
    if not args.db.exists():
        return _fail(
            f"no database at {args.db}: run `make build` or `python -m etl build --db {args.db}` first"
        )
    try:
        con = open_readonly(args.db)
        try:
            if not args.all:
                if not (args.jurisdiction and args.year and args.out):
                    return _fail("--jurisdiction, --year and --out are all needed")
                fmt = args.out.suffix.lstrip(".").lower()
                if fmt not in ("png", "pdf"):
                    return _fail(f"--out must end in .png or .pdf, not {args.out.name}")
                data = poster.poster_data(con, args.jurisdiction, poster.parse_period(args.year))
                args.out.parent.mkdir(parents=True, exist_ok=True)
                poster.write_many([(data, args.out)])
                print(f"{args.out}  ({data.jurisdiction} {data.period_label}, {len(data.cards)} numbers, "
                      f"{len(data.sources)} reports)")  # fmt: skip
                return 0
            if not args.out_dir:
                return _fail("--all needs --out-dir")
            fmts = [f.strip().lower() for f in args.format.split(",") if f.strip()]
            if not fmts or any(f not in ("png", "pdf") for f in fmts):
                return _fail(f"--format must be png, pdf or png,pdf, not {args.format!r}")
            items = []
            for jur, period in poster.all_periods(con):
                data = poster.poster_data(con, jur, period)
                for f in fmts:
                    items.append((data, args.out_dir / f"{data.file_stem}.{f}"))
        finally:
            con.close()
        args.out_dir.mkdir(parents=True, exist_ok=True)
        poster.write_many(items)
        for data, path in items:
            print(f"{path}  ({data.jurisdiction} {data.period_label})")
        print(f"{len(items)} posters in {args.out_dir}")
        return 0
    except poster.PosterError as exc:
        return _fail(str(exc))
