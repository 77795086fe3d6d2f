"""core.memory.without_cyclic_gc: the collector pauses for a pass and nests."""

import gc

from commonground.core.memory import without_cyclic_gc


def test_the_collector_pauses_and_comes_back_after_the_outermost_pass():
    assert gc.isenabled()
    with without_cyclic_gc():
        assert not gc.isenabled()
        with without_cyclic_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pass does not switch it back on
    assert gc.isenabled()


def test_an_error_in_the_pass_still_restores_the_collector():
    try:
        with without_cyclic_gc():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.isenabled()
