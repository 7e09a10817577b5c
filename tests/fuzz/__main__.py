"""`python -m tests.fuzz --seconds 60 --target sip_parser --seed 1`"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.fuzz import sip_parser

TARGETS = {"sip_parser": sip_parser.run}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--target", choices=sorted(TARGETS), action="append")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("var/fuzz"))
    args = parser.parse_args(argv)
    failed = 0
    for name in args.target or sorted(TARGETS):
        failed |= TARGETS[name](args.seconds, args.seed, args.out)
    return failed


if __name__ == "__main__":
    sys.exit(main())
