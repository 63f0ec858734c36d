"""`make bench`: run every bench/bench_*.py module in name order and print one table.

Each module exposes `run(ctx) -> list[Row]` (see harness.py). The table is also written as JSON
to bench/results/latest.json. How to read it: docs/benchmarks.md.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from dataclasses import asdict
from pathlib import Path

from harness import RESULTS_DIR, BenchError, Context, Row

BENCH_DIR = Path(__file__).resolve().parent


def discover() -> list[str]:
    names = sorted(path.stem for path in BENCH_DIR.glob("bench_*.py"))
    only = {item.strip().removeprefix("bench_") for item in os.environ.get("BENCH_ONLY", "").split(",") if item.strip()}
    if only:
        unknown = only - {name.removeprefix("bench_") for name in names}
        if unknown:
            raise BenchError(f"BENCH_ONLY names no benchmark: {', '.join(sorted(unknown))}")
        names = [name for name in names if name.removeprefix("bench_") in only]
    return names


def fill_ratios(rows: list[Row]) -> None:
    """req/s of each row ÷ req/s of the bare view on the same server variant (same benchmark first)."""
    by_benchmark = {(row.benchmark, row.variant): row for row in rows if row.baseline}
    by_variant = {row.variant: row for row in rows if row.baseline}
    for row in rows:
        base = by_benchmark.get((row.benchmark, row.variant)) or by_variant.get(row.variant)
        if base and base.requests_per_s:
            row.ratio = row.requests_per_s / base.requests_per_s


def cpu_per_request(row: Row) -> float | None:
    """The server's CPU time per request, in ms: what a busy machine does not hide (contention lowers req/s
    and raises latency, not the work each request costs). A benchmark may state it (`extra["cpu_ms_per_request"]`);
    else it is the server workers' CPU seconds during the run over its requests (`extra["worker_cpu_s"]`, as
    harness.measure records them), or, for an in-process row, its Python CPU per call."""
    if "cpu_ms_per_request" in row.extra:
        return row.extra["cpu_ms_per_request"]
    workers = row.extra.get("worker_cpu_s")
    if workers and row.requests:
        return sum(workers) * 1000 / row.requests
    return row.extra.get("python_cpu_ms")


def fill_cpu(rows: list[Row]) -> None:
    for row in rows:
        cpu = cpu_per_request(row)
        if cpu is not None:
            row.extra["cpu_ms_per_request"] = round(cpu, 3)


def _ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def table(rows: list[Row]) -> str:
    headers = ["benchmark", "variant", "view", "req/s", "p50", "p99", "ratio", "CPU/req", "errors"]
    right = {3, 4, 5, 6, 7, 8}
    lines = [
        [
            row.benchmark,
            row.variant,
            f"{row.view}  {row.path}",
            f"{row.requests_per_s:,.0f}",
            _ms(row.p50_ms),
            _ms(row.p99_ms),
            "–" if row.ratio is None else f"{row.ratio:.2f}",
            "–" if row.extra.get("cpu_ms_per_request") is None else f"{row.extra['cpu_ms_per_request']:.2f} ms",
            _errors(row),
        ]
        for row in rows
    ]
    widths = [max(len(cell) for cell in column) for column in zip(headers, *lines, strict=False)]

    def fmt(cells):
        return "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [fmt(headers), fmt(["-" * w for w in widths])]
    previous = None
    for row, cells in zip(rows, lines, strict=True):
        if previous and (row.benchmark, row.variant) != previous:
            out.append("")
        out.append(fmt(cells))
        previous = (row.benchmark, row.variant)
    return "\n".join(out)


def _errors(row: Row) -> str:
    if not row.errors:
        return "0"
    detail = ", ".join(f"{name} {count}" for name, count in row.error_detail.items())
    return f"{row.errors} ({detail})"


def header(ctx: Context) -> str:
    machine = ctx.machine()
    cpu = f" ({machine['cpu']})" if machine["cpu"] else ""
    lines = [
        f"Darcha benchmarks — {machine['cores']} cores{cpu}, Python {machine['python']}, "
        f"Django {machine['django']}, {machine['database'] or 'no database'}, wrk {machine['wrk']}",
    ]
    lines += [f"  {variant}: {command}" for variant, command in ctx.servers.items()]
    return "\n".join(lines)


def main() -> int:
    ctx = Context.from_env()
    rows: list[Row] = []
    started = time.time()
    try:
        for name in discover():
            module = importlib.import_module(name)
            print(f"… {name}", file=sys.stderr, flush=True)
            try:
                rows += module.run(ctx)
            except BenchError as error:  # one broken benchmark does not hide the others' results
                ctx.failures.append(f"{name}: {error}")
            except Exception as error:
                traceback.print_exc()
                ctx.failures.append(f"{name}: {type(error).__name__}: {error}")
    finally:
        ctx.close()
    fill_ratios(rows)
    fill_cpu(rows)

    print()
    print(header(ctx))
    print()
    print(table(rows) if rows else "(no results)")
    for note in ctx.notes:
        print(f"note: {note}")
    for failure in ctx.failures:
        print(f"FAILED: {failure}")

    RESULTS_DIR.mkdir(exist_ok=True)
    result = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "seconds": round(time.time() - started, 1),
        "machine": ctx.machine(),
        "servers": ctx.servers,
        "rows": [asdict(row) for row in rows],
        "notes": ctx.notes,
        "failures": ctx.failures,
    }
    (RESULTS_DIR / "latest.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten: {(RESULTS_DIR / 'latest.json').relative_to(BENCH_DIR.parent)}")
    return 1 if ctx.failures or not rows else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        sys.exit(2)
