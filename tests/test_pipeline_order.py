"""The stage registry refuses an order whose needs are not met, before any work starts."""

import pytest

from khronika.errors import ConfigError
from khronika.pipeline import DEFAULT_ORDER, STAGES, check_order


def test_default_order_is_valid():
    check_order(DEFAULT_ORDER)


def test_stage_needing_missing_input_is_refused_at_start():
    with pytest.raises(ConfigError, match="resolve.*needs"):
        check_order(["read", "clean", "resolve"])


def test_unknown_stage_is_named():
    with pytest.raises(ConfigError, match="unknown stage 'translate'"):
        check_order(["read", "translate"])


def test_every_stage_has_help():
    assert all(s.help for s in STAGES.values())
