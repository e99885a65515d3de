"""Sampling and the kill-rate summary for scripts/mutation.sh (runs in cosmic-ray's venv).

    mutation_stats.py sample SESSION.sqlite --fraction F --seed S
    mutation_stats.py recheck SESSION.sqlite
    mutation_stats.py summary SESSION.sqlite...

``sample`` keeps a seeded random sample of each module's pending mutants (a fraction F of
every module, at least one; a stratified sample) and marks the others skipped, as
cosmic-ray's own filters do. ``recheck`` forgets the results of the surviving mutants, so
that the next run tries them again (after new tests). ``summary`` prints, per session
(target) and over all of them, the kill rate of the mutants run, estimated for all
mutants with its 95 % confidence interval (stratified by module, finite-population
corrected), the CPU seconds per mutant (from the fork server's ``@@exit`` line), then
every surviving mutant with its diff.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sqlite3
from collections import defaultdict
from pathlib import Path

from cosmic_ray.work_db import use_db
from cosmic_ray.work_item import WorkerOutcome, WorkResult

NOT_SAMPLED = "Not in the sample"
CPU = re.compile(r"@@exit -?\d+ cpu ([0-9.]+)")


def sample(session: str, fraction: float, seed: int) -> None:
    """Marks all but a stratified random sample of the pending mutants skipped."""
    with use_db(session) as db:
        by_module = defaultdict(list)
        for item in db.pending_work_items:
            mutation = item.mutations[0]
            key = (str(mutation.start_pos), mutation.operator_name, mutation.occurrence)
            by_module[str(mutation.module_path)].append((key, item.job_id))
        rng = random.Random(seed)
        kept = 0
        for module in sorted(by_module):
            jobs = sorted(by_module[module])
            size = min(len(jobs), max(1, math.ceil(fraction * len(jobs))))
            chosen = {job for _, job in rng.sample(jobs, size)}
            kept += size
            for _, job in jobs:
                if job not in chosen:
                    db.set_result(
                        job, WorkResult(output=NOT_SAMPLED, worker_outcome=WorkerOutcome.SKIPPED)
                    )
    print(f"sample: {kept} mutants (fraction {fraction}, seed {seed}) in {session}")


def recheck(session: str) -> None:
    """Forgets the surviving mutants' results: the next ``cosmic-ray exec`` runs them again."""
    with sqlite3.connect(session) as con:
        n = con.execute(
            "delete from work_results where lower(worker_outcome) = 'normal' "
            "and lower(test_outcome) = 'survived'"
        ).rowcount
    print(
        f"recheck: {n} surviving mutants of {session} run again (tests written against a "
        "sample's survivors lift its rate more than the estimate for all: a fresh seed tells)"
    )


def _rows(session: str) -> list[tuple]:
    query = """
        select s.module_path, s.start_pos_row, s.operator_name, r.worker_outcome,
               r.test_outcome, r.output, r.diff
        from mutation_specs s left join work_results r on r.job_id = s.job_id"""
    with sqlite3.connect(session) as con:
        return con.execute(query).fetchall()


class Strata:
    """Counts per module: all mutants in scope (N), run (m), killed (k)."""

    def __init__(self) -> None:
        self.population: dict[str, int] = defaultdict(int)
        self.run: dict[str, int] = defaultdict(int)
        self.killed: dict[str, int] = defaultdict(int)
        self.cpu: list[float] = []

    def add(self, row: tuple) -> None:
        module, _, _, worker, test, output, _ = row
        worker, test = (worker or "").lower(), (test or "").lower()
        if worker in ("skipped", "no-test") and output != NOT_SAMPLED:
            return  # operator filtered, pragma, or no mutation possible: not in scope
        self.population[module] += 1
        if worker == "normal" and test in ("killed", "survived"):
            self.run[module] += 1
            self.killed[module] += test == "killed"
            if found := CPU.search(output or ""):
                self.cpu.append(float(found.group(1)))

    def line(self, name: str) -> str:
        """The kill rate over the mutants run and its stratified estimate with a 95 % CI."""
        total = sum(self.population.values())
        m, k = sum(self.run.values()), sum(self.killed.values())
        if not m:
            return f"{name:16} {total:5} mutants, none run yet"
        estimate = variance = 0.0
        covered = sum(self.population[h] for h in self.run if self.run[h])
        for h, m_h in self.run.items():
            if not m_h:
                continue
            w = self.population[h] / covered
            estimate += w * self.killed[h] / m_h
            p = (self.killed[h] + 1) / (m_h + 2)  # no zero variance from 0/m or m/m
            variance += w * w * p * (1 - p) / m_h * (1 - m_h / self.population[h])
        half = 1.96 * math.sqrt(variance)
        cpu = f"{sum(self.cpu) / len(self.cpu):5.1f}" if self.cpu else "    -"
        return (
            f"{name:16} {total:5} {m:5} {k:5} {m - k:5} {100 * k / m:6.1f} %"
            f"  {100 * estimate:5.1f} % [{100 * max(0, estimate - half):5.1f}, "
            f"{100 * min(1, estimate + half):5.1f}]  {cpu}"
        )

    def merge(self, other: Strata, prefix: str) -> None:
        for table, theirs in (
            (self.population, other.population),
            (self.run, other.run),
            (self.killed, other.killed),
        ):
            for h, n in theirs.items():
                table[prefix + h] += n
        self.cpu += other.cpu


def summary(sessions: list[str]) -> None:
    """Prints the kill rates per target and overall, then the survivors with their diffs."""
    print(
        f"{'target':16} {'scope':>5} {'run':>5} {'kill':>5} {'surv':>5} {'rate':>8}"
        "  estimate [95 % CI]     cpu s/mutant"
    )
    overall, survivors = Strata(), []
    for session in sessions:
        strata = Strata()
        for row in _rows(session):
            strata.add(row)
            if (row[3] or "").lower() == "normal" and (row[4] or "").lower() == "survived":
                survivors.append(row)
        print(strata.line(Path(session).stem))
        overall.merge(strata, session + ":")
    print(overall.line("overall"))
    if overall.cpu:
        mean = sum(overall.cpu) / len(overall.cpu)
        scope = sum(overall.population.values())
        print(
            f"\nCPU {sum(overall.cpu):.0f} s for {len(overall.cpu)} mutants ({mean:.1f} s each); "
            f"all {scope} in scope: about {mean * scope / 3600:.1f} CPU hours "
            f"({mean * scope / 7200:.1f} h on two quiet cores)"
        )
    print(f"\n{len(survivors)} surviving mutants:")
    for module, line, operator, *_, diff in sorted(survivors):
        print(f"\n--- {module}:{line} {operator}\n{diff.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sample")
    p.add_argument("session")
    p.add_argument("--fraction", type=float, required=True)
    p.add_argument("--seed", type=int, default=0)
    r = sub.add_parser("recheck")
    r.add_argument("session")
    s = sub.add_parser("summary")
    s.add_argument("sessions", nargs="+")
    args = parser.parse_args()
    if args.command == "sample":
        sample(args.session, args.fraction, args.seed)
    elif args.command == "recheck":
        recheck(args.session)
    else:
        summary(args.sessions)


if __name__ == "__main__":
    main()
