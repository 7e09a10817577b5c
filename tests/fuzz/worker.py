"""One fuzz target under atheris: `python -m tests.fuzz.worker TARGET [libFuzzer options]`.

Only the target's own package is instrumented for coverage (pydantic, PyYAML, the standard
library and the rest of Hotline run uninstrumented: the fuzzer's effort goes to the parser
under test, and the process starts faster).
"""

from __future__ import annotations

import contextlib
import sys

import atheris

PACKAGES = {
    "sip": ["hotline.sip"],
    "sdp": ["hotline.sip"],
    "rtp": ["hotline.media.rtp", "hotline.media.rtcp"],
    "flow_yaml": ["hotline.flows"],
    "expression": ["hotline.flows"],
}

with atheris.instrument_imports(include=PACKAGES.get(sys.argv[1], ["hotline"])):
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
    # libFuzzer re-runs argv[0] through the shell for -merge: make it a command that runs us.
    command = f"{sys.executable} -m tests.fuzz.worker {name}"
    atheris.Setup([command, *sys.argv[2:]], test_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
