"""Coverage-guided fuzzing with atheris (libFuzzer): `make fuzz`, or

    python -m tests.fuzz [--target sip] [--runs 1000000 | --seconds 60] [--jobs 1]
    python -m tests.fuzz --target sdp --merge     # minimise var/fuzz/sdp into the kept corpus

Each target runs in its own process (libFuzzer ends the process when it is done). New inputs
go to var/fuzz/<target>/ (not kept); the corpus kept in the repository (tests/fuzz/corpus/)
and the golden files of tests/data are read as seeds. A crash is written to var/fuzz/crashes/
and the run fails; `python -m tests.fuzz --target T --replay FILE` replays one input.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

from tests.fuzz.targets import CORPUS, ROOT, TARGETS

VAR = ROOT / "var" / "fuzz"


def run(name: str, runs: int | None, seconds: float | None, merge: bool, replay: Path | None,
        quiet: bool) -> int:  # fmt: skip
    target = TARGETS[name]
    work = VAR / name
    seeds = VAR / "seeds" / name
    crashes = VAR / "crashes"
    for folder in (work, seeds, crashes, CORPUS / name):
        folder.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(target.seeds()):
        (seeds / f"seed-{i:04d}").write_bytes(seed[: target.max_len])
    args = [sys.executable, "-m", "tests.fuzz.worker", name,
            f"-artifact_prefix={crashes}/{name}-", f"-max_len={target.max_len}",
            "-print_final_stats=1", "-timeout=10", "-rss_limit_mb=2048"]  # fmt: skip
    if replay is not None:
        args.append(str(replay))
    elif merge:
        args += ["-merge=1", str(CORPUS / name), str(work), str(seeds)]
    else:
        if runs is not None:
            args.append(f"-runs={runs}")
        if seconds is not None:
            args.append(f"-max_total_time={int(seconds)}")
        args += [str(work), str(CORPUS / name), str(seeds)]
    started = time.monotonic()
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    done = re.search(r"Done (\d+) runs in (\d+) second", proc.stderr)
    cov = re.findall(r"cov: (\d+) ft: (\d+)", proc.stderr)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-6000:])
        print(f"{name}: FAILED (exit {proc.returncode}) after {elapsed:.0f} s; see {crashes}")
        return 1
    if merge:
        kept = len(list((CORPUS / name).iterdir()))
        print(f"{name}: corpus minimised into {CORPUS / name}: {kept} files")
        return 0
    count = done.group(1) if done else "?"
    coverage = f", coverage {cov[-1][0]} edges / {cov[-1][1]} features" if cov else ""
    kept = len(list((CORPUS / name).iterdir()))
    allowed = "/".join(e.__name__ for e in target.allowed)
    print(f"{name}: {count} inputs in {elapsed:.0f} s, no exception but {allowed}"
          f"{coverage}; corpus kept: {kept} files")  # fmt: skip
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz")
    parser.add_argument("--target", choices=sorted(TARGETS), action="append")
    parser.add_argument("--runs", type=int, default=None, help="inputs per target")
    parser.add_argument("--seconds", type=float, default=None, help="time per target")
    parser.add_argument("--merge", action="store_true", help="minimise into the kept corpus")
    parser.add_argument("--replay", type=Path, default=None, help="run one input file")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.runs is None and args.seconds is None and not args.merge and args.replay is None:
        args.seconds = 60.0
    failed = 0
    for name in args.target or sorted(TARGETS):
        failed |= run(name, args.runs, args.seconds, args.merge, args.replay, args.quiet)
    return failed


if __name__ == "__main__":
    sys.exit(main())
