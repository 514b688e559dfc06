"""Every benchmark of issue 23 in one run, and the README's table made from its figures.

    .venv/bin/python -m bench.all                   # about 25 minutes on two cores
    .venv/bin/python -m bench.all --quick           # smaller sizes, to try the benches
    .venv/bin/python -m bench.all --write-readme    # and put the table in README.md

Runs, in this order, on PostgreSQL (each on fresh databases):

1. intake flat out, the service against the minimal app, 1 and 2 processes (bench.intake_cpu);
2. paging by one worker: CPU, round trips and new connections per alert; idle round trips
   (bench.paging_cpu);
3. alert -> first SMS with 2 processes each with its worker, at 1, 20 and 100 alerts/s, then at
   20/s beside 100 000 alerts in the cluster window (bench.alert_to_sms);
4. the cluster check over 1k, 10k and 100k alerts in one window (bench.cluster_check);
5. memory over 100 000 alerts in the API and the worker (bench.memory).

Every figure is printed with the machine's load average (1, 5, 15 min) when it was taken: a
figure taken beside other work on the same two cores is not comparable with one taken idle.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from app.clock import SystemClock
from bench import alert_to_sms, cluster_check, intake_cpu, memory, paging_cpu

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def run(quick: bool) -> list[tuple[str, str]]:
    results: list[tuple[str, str]] = []
    intake_args = intake_cpu.parser().parse_args(
        ["--rounds", "1" if quick else "3", "--seconds", "4" if quick else "8"]
    )
    results += [("intake", line) for line in intake_cpu.main(intake_args)]
    paging_args = paging_cpu.parser().parse_args(["--alerts", "200" if quick else "1000"])
    results += [("paging", line) for line in paging_cpu.main(paging_args)]
    sms_args = alert_to_sms.parser().parse_args(
        [
            *("--sequential", "20" if quick else "100"),
            *("--rate-seconds", "5" if quick else "10"),
            *("--window", "10000" if quick else "100000"),
        ]
    )
    results += [("alert -> SMS", line) for line in alert_to_sms.main(sms_args)]
    sizes = ["1000", "10000"] if quick else ["1000", "10000", "100000"]
    cluster_args = cluster_check.parser().parse_args(["--sizes", *sizes, "--old-max", "0"])
    results += [("cluster check", line) for line in cluster_check.main(cluster_args)]
    memory_args = memory.parser().parse_args(["--alerts", "10000" if quick else "100000"])
    results += [("memory", line) for line in memory.main(memory_args)]
    return results


def table(results: list[tuple[str, str]]) -> str:
    today = SystemClock().now().date().isoformat()
    rows = [f"Measured {today} by `python -m bench.all` (bench/README.md says how to read it).", ""]
    rows += ["| benchmark | figures (load average 1/5/15 min at the end) |", "|---|---|"]
    rows += [f"| {name} | {line.replace('|', '/')} |" for name, line in results]
    return "\n".join(rows)


def write_readme(text: str) -> None:
    readme = README.read_text()
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(readme):
        raise SystemExit(f"README.md has no {BEGIN} ... {END} section")
    README.write_text(pattern.sub(lambda _: f"{BEGIN}\n{text}\n{END}", readme))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    text = table(run(args.quick))
    print("\n" + text)
    if args.write_readme:
        write_readme(text)


if __name__ == "__main__":
    main()
