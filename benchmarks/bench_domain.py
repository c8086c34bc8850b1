"""Domain benchmarks: one due-date computation (target p95 < 0.2 ms) and validating a full applicant
(target p95 < 0.1 ms). Run with ``make bench`` or ``.venv/bin/python benchmarks/bench_domain.py``.

Each call is timed on its own with ``perf_counter_ns`` over a varied workload (all three modes,
cut-offs, receipts across Tết and swap weeks, out-of-hours receipts), after a warm-up. Exit status 1
if a target is missed, so the script can gate a release.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from time import perf_counter_ns

from counterapp.datafiles.calendar import bundled_calendar
from counterapp.domain.applicant import validate_applicant
from counterapp.domain.duedate import Duration, DurationUnit, compute_due

TODAY = date(2026, 11, 28)


def due_date_cases(n: int, rng: random.Random) -> list[Callable[[], object]]:
    calendar = bundled_calendar()
    start = datetime(2024, 1, 2)
    durations = [
        Duration.of(5, DurationUnit.WORKING_DAYS),
        Duration.of(20, DurationUnit.WORKING_DAYS),
        Duration.of(0, DurationUnit.WORKING_DAYS),
        Duration.of(4, DurationUnit.WORKING_HOURS),
        Duration.of(40, DurationUnit.WORKING_HOURS),
        Duration.of(15, DurationUnit.CALENDAR_DAYS),
    ]
    cases = []
    for _ in range(n):
        received = start + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
        duration = rng.choice(durations)
        cutoff = rng.choice([None, time(15)])
        cases.append(lambda r=received, d=duration, c=cutoff: compute_due(r, d, calendar, cutoff=c))
    return cases


APPLICANTS = [
    {
        "name": "Nguyễn Thị Tuyến",
        "id_number": "001190012345",
        "date_of_birth": "17/05/1990",
        "sex": "female",
        "address": "Số 12 ngõ 34 phố Hàng Bông, phường Hoàn Kiếm, Hà Nội",
        "phone": "0912 345 678",
        "email": "tuyen@example.vn",
    },
    {
        "name": "Trần   Văn  Bình",
        "id_number": "079 085 123456",
        "date_of_birth": "1985-01-30",
        "address": "45 Lê Lợi, phường Sài Gòn, TP Hồ Chí Minh",
        "phone": "+84 326 789 012",
    },
]


def applicant_cases(n: int, rng: random.Random) -> list[Callable[[], object]]:
    chosen = [rng.choice(APPLICANTS) for _ in range(n)]
    return [lambda a=a: validate_applicant(a, today=TODAY) for a in chosen]


def measure(cases: list[Callable[[], object]], warmup: int = 2000) -> dict[str, float]:
    for case in cases[:warmup]:
        case()
    samples = []
    for case in cases:
        t0 = perf_counter_ns()
        case()
        samples.append(perf_counter_ns() - t0)
    return summarise(samples)


def summarise(samples_ns: list[int]) -> dict[str, float]:
    """Count, p50/p95/p99 and mean in milliseconds of per-call times in nanoseconds."""
    ms = sorted(s / 1e6 for s in samples_ns)

    def pct(p: float) -> float:
        return ms[min(len(ms) - 1, int(p * len(ms)))]

    return {"n": len(ms), "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99), "mean": statistics.fmean(ms)}


def report(results: dict[str, dict[str, float]], targets: dict[str, float], digits: int = 2) -> int:
    """Print the results as the Markdown table of benchmarks/README.md; 1 if any p95 misses its target."""
    print("| benchmark | calls | p50 ms | p95 ms | p99 ms | target p95 | met |")
    print("|---|---|---|---|---|---|---|")
    ok = True
    for name, r in results.items():
        met = r["p95"] < targets[name]
        ok &= met
        print(
            f"| {name} | {r['n']:,} | {r['p50']:.{digits}f} | {r['p95']:.{digits}f} | {r['p99']:.{digits}f} "
            f"| < {targets[name]:g} | {'yes' if met else 'NO'} |"
        )
    return 0 if ok else 1


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores, {system}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50_000, help="calls per benchmark")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    bundled_calendar()  # load the data file once, as the application does at start

    targets = {"due date (one computation)": 0.2, "validate a full applicant": 0.1}
    results = {
        "due date (one computation)": measure(due_date_cases(args.n, rng)),
        "validate a full applicant": measure(applicant_cases(args.n, rng)),
    }
    print(f"Machine: {machine()}")
    return report(results, targets, digits=4)


if __name__ == "__main__":
    sys.exit(main())
