"""Import benchmark: generate a roster and import it (rows per second)."""


def add_arguments(parser) -> None:
    parser.add_argument("--members", type=int, default=100_000)


def run(*, stdout, members: int, **_) -> None:
    raise NotImplementedError("bench import: to be written")
