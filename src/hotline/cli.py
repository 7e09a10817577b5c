"""The `hotline` command."""


def main() -> None:
    raise SystemExit("hotline: not built yet")
