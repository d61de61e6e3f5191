"""The ``gongwen`` command: everything a person does from a shell.

Errors go to stderr as one line per problem and the exit code is non-zero; output files are
written whole or not at all.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import datetime as dt
import json
import os
import sys
import unicodedata
from pathlib import Path
from typing import NoReturn

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _error(message: str) -> None:
    # One line, whatever a file name or a library message holds (newlines, escape sequences).
    line = "".join(repr(ch)[1:-1] if unicodedata.category(ch) == "Cc" else ch for ch in message)
    print(f"gongwen: error: {line}", file=sys.stderr)


def cmd_parse(args: argparse.Namespace) -> int:
    from parsers import ParseError, parse_file
    from parsers.guard import Guard, Limits, ReaderError
    from parsers.serialize import record_to_dict

    path = Path(args.file)
    try:
        limits = Limits(timeout_s=args.timeout, max_memory_mb=args.max_memory, max_file_mb=args.max_size)
    except ValueError as err:
        _error(str(err))
        return EXIT_USAGE
    try:
        if args.debug:  # in this process, without limits, so that the traceback is the reader's
            record = parse_file(path)
        else:
            with Guard(limits, warm=False) as guard:
                record = guard.parse(path)
    except ParseError as err:
        _error(str(err))
        return EXIT_FAILED
    except ReaderError as err:
        _error(f"{path}: could not be read ({err}); rerun with --debug for details")
        return EXIT_FAILED
    except Exception as err:  # a reader bug must still end in one clear line, not a traceback
        if args.debug:
            raise
        _error(f"{path}: could not be read ({type(err).__name__}: {err}); rerun with --debug for details")
        return EXIT_FAILED
    data = record_to_dict(record)
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    _print_summary(data)
    return EXIT_OK


def _print_summary(data: dict, indent: str = "") -> None:
    fields = [
        ("title", data["title"]),
        ("issuer", data["issuer"]),
        ("doc number", data["doc_number"]),
        ("signing date", data["signing_date"]),
        ("recipients", "；".join(data["recipients"]) or None),
        ("published", data["publication_date"]),
        ("source", data["source"]),
        ("cites", "，".join(data["cited_doc_numbers"]) or None),
        ("attachments", "；".join(data["attachments"]) or None),
    ]
    for name, value in fields:
        print(f"{indent}{name:>13}: {value if value is not None else '—'}")
    for warning in data["warnings"]:
        print(f"{indent}      warning: {warning}")
    for fwd in data["forwarded"]:
        print(f"{indent}    forwards:")
        _print_summary(fwd, indent + "    ")


def day(text: str) -> dt.date:
    """A ``--as-of`` value: a day written YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def cmd_run(args: argparse.Namespace) -> int:
    from gongwen import warehouse_cli

    return warehouse_cli.run(args.raw, args.warehouse, as_of=args.as_of)


def cmd_ui(args: argparse.Namespace) -> int:
    from gongwen import warehouse_cli

    return warehouse_cli.ui(port=args.port)


def cmd_query(args: argparse.Namespace) -> int:
    from gongwen import warehouse_cli

    return warehouse_cli.query(args.sql, args.warehouse, output_format=args.format)


def cmd_scrape(args: argparse.Namespace) -> int:
    from gongwen import scrape_cli

    return scrape_cli.scrape(args.config, args.raw, args.warehouse, args.source, verbose=args.verbose)


def cmd_eval(args: argparse.Namespace) -> int:
    from gongwen.evaluation import FORMATS, evaluate, evaluate_alignment, format_report

    root = Path(__file__).resolve().parents[1]
    gold = args.gold or root / "tests" / "gold"
    raw = args.raw or root / "raw"
    if not (gold / "metadata.json").is_file():
        _error(f"no gold annotations at {gold} (expected metadata.json and tasks/)")
        return EXIT_USAGE
    formats = args.format or FORMATS
    report = evaluate(raw, gold, formats)
    alignment = evaluate_alignment(raw, gold, formats)
    if args.json:
        out = {"extraction": report.as_dict(), "alignment": alignment.as_dict()}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print("Extraction (tests/gold/metadata.json, tests/gold/tasks/)")
        print(format_report(report))
        print("\nCross-check alignment (tests/gold/alignment/)")
        print(format_report(alignment))
    return EXIT_FAILED if report.errors or alignment.errors else EXIT_OK


def cmd_crosscheck(args: argparse.Namespace) -> int:
    from crosscheck.check import cross_check
    from crosscheck.serialize import cross_check_dict
    from parsers import ParseError, parse_file

    as_of = args.as_of
    records = []
    for path in (args.plan, args.template):
        try:
            records.append(parse_file(Path(path)))
        except ParseError as err:
            _error(str(err))
            return EXIT_FAILED
    plan, template = records
    for record, role in ((plan, "plan"), (template, "template")):
        if not record.tasks:
            _error(f"{record.path}: no tasks found in the {role}; nothing to compare")
            return EXIT_FAILED
    check = cross_check(plan, template, as_of=as_of)
    if args.html:
        from crosscheck.report import write_plan_report

        write_plan_report(check, Path(args.html))
        print(f"report written to {args.html}", file=sys.stderr)
    if args.json:
        json.dump(cross_check_dict(check), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif not args.html:
        summary = check.summary()
        print(f"plan:     {check.plan.title or check.plan.path}")
        print(f"template: {check.template.title or check.template.path}")
        print(
            f"requirements: {summary['requirements']} — verbatim {summary['verbatim']}, modified "
            f"{summary['modified']}, partial {summary['partial']}, missing {summary['missing']}"
        )
        print(f"plan tasks:   {summary['tasks']} — matched {summary['matched']}, added {summary['added']}")
        print(
            f"gaps:         {summary['no_unit']} without unit, {summary['no_deadline']} without deadline, "
            f"{summary['past_deadline']} past their deadline as of {check.as_of.isoformat()}"
        )
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gongwen", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("parse", help="read one notice (PDF, DOCX or HTML) and print its record")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the record as one JSON object")
    p.add_argument(
        "--debug",
        action="store_true",
        help="read in this process without limits and show the traceback of an unexpected error",
    )
    p.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS", help="time limit (default 120)")
    p.add_argument(
        "--max-memory", type=int, default=2048, metavar="MB", help="memory cap, 0 for none (default 2048)"
    )
    p.add_argument("--max-size", type=float, default=100.0, metavar="MB", help="size limit (default 100)")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("crosscheck", help="align one plan with the template it implements")
    p.add_argument("plan")
    p.add_argument("template")
    p.add_argument("--json", action="store_true", help="print the alignment as one JSON object")
    p.add_argument("--html", metavar="OUT", help="write the HTML report to OUT")
    p.add_argument(
        "--as-of", type=day, metavar="DATE", help="judge deadlines as of this day (default: today)"
    )
    p.set_defaults(func=cmd_crosscheck)

    p = sub.add_parser("run", help="materialize all assets on the raw folder into the warehouse")
    p.add_argument("--raw", type=Path, default=None, help="folder of notices (default: raw/)")
    p.add_argument(
        "--warehouse", default=None, help="output folder or s3://bucket/prefix (default: warehouse/)"
    )
    p.add_argument(
        "--as-of", type=day, metavar="DATE", help="judge deadlines as of this day (default: today, Shanghai)"
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("ui", help="start the Dagster UI on this project")
    p.add_argument("--port", type=int, default=3000)
    p.set_defaults(func=cmd_ui)

    p = sub.add_parser("query", help="run SQL (DuckDB) over the warehouse tables")
    p.add_argument("sql")
    p.add_argument("--warehouse", default=None, help="folder or fsspec URL (default: warehouse/)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=cmd_query)
    p = sub.add_parser("scrape", help="one polite crawl of the configured government sites into raw/")
    p.add_argument("--config", type=Path, default=None, help="sources file (default: sources.toml)")
    p.add_argument("--raw", type=Path, default=None, help="where files land (default: raw/)")
    p.add_argument(
        "--warehouse", type=Path, default=None, help="crawl state and fetches table (default: warehouse/)"
    )
    p.add_argument(
        "--source", action="append", help="only this source (repeatable; runs it even if disabled)"
    )
    p.add_argument("-v", "--verbose", action="store_true", help="also list URLs that were unchanged")
    p.set_defaults(func=cmd_scrape)

    p = sub.add_parser("eval", help="score extraction on the sample corpus against the gold annotations")
    p.add_argument("--raw", type=Path, default=None, help="folder with the seed renderings (default: raw/)")
    p.add_argument("--gold", type=Path, default=None, help="gold folder (default: tests/gold)")
    p.add_argument("--format", action="append", choices=["pdf", "docx", "html"], help="only these formats")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:  # the reader of our output went away (… | head): not an error
        sys.stderr.close()
        return EXIT_OK


def console() -> NoReturn:
    """The installed ``gongwen`` command: ``main``, then exit without tearing the interpreter
    down. By then every output is written and closed; what exit still has to do — the exit
    handlers (logging, reader processes, process pools) and flushing stdout/stderr — is done
    here. The teardown skipped is that of Dagster, SQLAlchemy and pyarrow's modules: ~0.8 s of
    every ``gongwen run`` (a 1 %-changed rerun takes a few seconds in all)."""
    code = main()
    atexit._run_exitfuncs()  # what interpreter exit runs before the teardown
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed by a reader that went away
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    console()
