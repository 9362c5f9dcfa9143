"""The examples in the analytics modules' docstrings run and give what they show.

They document the published worked examples the methods are checked against (Gould and
Fernandez's brokerage roles, Burt's constraint, Newman's mixing …), so a drifting example
would mislead a reader as much as a failing test.
"""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from coco_atlas.graph.analytics import (
    betweenness,
    brokerage,
    groups,
    mixing,
    results,
    structural_holes,
)


@pytest.mark.parametrize("module", [betweenness, brokerage, groups, mixing, results,
                                    structural_holes],
                         ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_docstring_examples_run(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{module.__name__} has no examples any more"
    assert result.failed == 0
