"""Answer checking at scale: verify_answer on reference answers and on wrong ones.

For each problem: the reference answer must never be called contradicted, and a wrong answer
made from it never verified. Counts per source and subject, the share checked at all
(coverage), and every false verdict with its reason.

    uv run --all-extras python -m tests.bench.answer_check_scale [--limit N] [--workers K]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from desktop_app.core.check_worker import CheckError, CheckWorker
from tests.bench.answer_check_data import FILES, Item, load, wrong_answers

TIMEOUT_S = 10.0


@dataclass
class Tally:
    """What verify_answer said about one group of problems."""

    problems: int = 0
    reference: Counter[str] = field(default_factory=Counter)
    wrong: Counter[str] = field(default_factory=Counter)
    false_contradictions: list[tuple[str, str, str]] = field(default_factory=list)
    false_verifications: list[tuple[str, str, str, str]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        return 1 - self.reference["unchecked"] / self.problems if self.problems else 0.0


def run(items: Iterable[Item], workers: int = 2) -> dict[tuple[str, str], Tally]:
    """Check every item's reference and wrong answers; tallies by (source, subject)."""
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    local = threading.local()
    lock = threading.Lock()
    pool_workers: list[CheckWorker] = []

    def worker() -> CheckWorker:
        if not hasattr(local, "worker"):
            local.worker = CheckWorker()
            with lock:
                pool_workers.append(local.worker)
        return local.worker

    def verdict(problem: str, answer: str) -> tuple[str, str, float]:
        started = time.perf_counter()
        try:
            check, reason = worker().call("verify_answer", problem, answer, timeout=TIMEOUT_S)
        except CheckError as exc:
            check, reason = "unchecked", str(exc)
        return check, reason, time.perf_counter() - started

    def one(item: Item) -> None:
        check, reason, seconds = verdict(item.problem, item.answer)
        results = [("reference", item.answer, check, reason, seconds)]
        if check != "unchecked" or not reason.startswith(("Only equations", "The problem holds")):
            for kind, wrong in wrong_answers(item.answer):
                try:
                    if worker().call("equivalent", wrong, item.answer, timeout=TIMEOUT_S):
                        continue  # the "wrong" answer means the same: not a wrong answer
                except CheckError:
                    continue  # not known to be wrong: it proves nothing either way
                results.append((kind, wrong, *verdict(item.problem, wrong)))
        with lock:
            tally = tallies[(item.source, item.subject)]
            tally.problems += 1
            for kind, answer, check, reason, seconds in results:
                tally.seconds.append(seconds)
                if kind == "reference":
                    tally.reference[check] += 1
                    if check == "contradicted":
                        tally.false_contradictions.append((item.key, item.answer, reason))
                else:
                    tally.wrong[check] += 1
                    if check == "verified":
                        tally.false_verifications.append((item.key, kind, answer, reason))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(one, item) for item in items]
        for done, future in enumerate(futures, 1):
            future.result()
            if done % 250 == 0:
                print(f"... {done} of {len(futures)}", file=sys.stderr, flush=True)
    for checker in pool_workers:
        checker.close()
    return dict(tallies)


def report(tallies: dict[tuple[str, str], Tally]) -> str:
    """A Markdown table of the figures, then every false verdict."""
    lines = [
        "| source | subject | problems | coverage | reference verified | reference contradicted "
        "| wrong answers | wrong verified | wrong contradicted |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    total = Tally()
    for (source, subject), t in sorted(tallies.items()):
        lines.append(_row(source, subject, t))
        total.problems += t.problems
        total.reference.update(t.reference)
        total.wrong.update(t.wrong)
        total.false_contradictions += t.false_contradictions
        total.false_verifications += t.false_verifications
        total.seconds += t.seconds
    lines.append(_row("**all**", "", total))
    times = sorted(total.seconds)
    if times:
        median, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
        lines.append(f"\nTime per check: median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
                     f"over {len(times)} checks.")  # fmt: skip
    for key, answer, reason in total.false_contradictions:
        lines.append(f"- reference contradicted: {key} `{answer}`: {reason}")
    for key, kind, answer, reason in total.false_verifications:
        lines.append(f"- wrong answer verified: {key} ({kind}) `{answer}`: {reason}")
    return "\n".join(lines)


def _row(source: str, subject: str, t: Tally) -> str:
    wrong = sum(t.wrong.values())
    return (
        f"| {source} | {subject} | {t.problems} | {t.coverage:.1%} | {t.reference['verified']} "
        f"| {t.reference['contradicted']} | {wrong} | {t.wrong['verified']} "
        f"| {t.wrong['contradicted']} |"
    )


def main(argv: list[str] | None = None) -> int:
    """Run over the evaluation files and print the report (and JSON with --json FILE)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=0, help="problems per file (0: all)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--files", nargs="*", default=list(FILES))
    parser.add_argument("--json", help="also write the false verdicts and counts here")
    args = parser.parse_args(argv)
    items = [
        item
        for name in args.files
        for number, item in enumerate(load(name))
        if not args.limit or number < args.limit
    ]
    started = time.monotonic()
    tallies = run(items, workers=args.workers)
    print(report(tallies))
    print(f"\n{len(items)} problems in {time.monotonic() - started:.0f} s")
    if args.json:
        dump = {
            f"{s}/{u}": {
                "problems": t.problems, "reference": dict(t.reference), "wrong": dict(t.wrong),
                "false_contradictions": t.false_contradictions,
                "false_verifications": t.false_verifications,
            }
            for (s, u), t in tallies.items()
        }  # fmt: skip
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(dump, out, indent=1, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
