"""One fuzz target under atheris: `python -m tests.fuzz.worker TARGET [libFuzzer options]`.

Only Hotline's own modules are instrumented for coverage (pydantic, PyYAML and the standard
library run uninstrumented, so the fuzzer's effort goes to our parsers).
"""

from __future__ import annotations

import contextlib
import sys

import atheris

with atheris.instrument_imports(include=["hotline"]):
    from tests.fuzz.targets import TARGETS


def main() -> None:
    name = sys.argv[1]
    target = TARGETS[name]
    one_input = target.one_input
    allowed = target.allowed

    def test_one(data: bytes) -> None:
        with contextlib.suppress(*allowed):
            one_input(data)

    sys.setrecursionlimit(1000)  # the interpreter's default: a deep input must not pass here
    atheris.Setup([sys.argv[0], *sys.argv[2:]], test_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
