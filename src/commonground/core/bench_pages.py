"""Page benchmark: p95 of the member list and profile over real HTTP."""


def add_arguments(parser) -> None:
    parser.add_argument("--members", type=int, default=100_000)


def run(*, stdout, members: int, **_) -> None:
    raise NotImplementedError("bench pages: to be written")
