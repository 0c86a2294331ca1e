"""Runtime tuning: read from the environment, validated, applied to this interpreter."""

from __future__ import annotations

import gc
import re
import sys
from collections.abc import Iterator

import pytest

from frontdesk.adapters import tuning
from frontdesk.adapters.tuning import RuntimeTuning, apply_runtime_tuning, tuning_from_env
from frontdesk.engine.errors import ConfigError

NONE = RuntimeTuning()


@pytest.fixture
def restore_interpreter() -> Iterator[None]:
    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    yield
    sys.setswitchinterval(interval)
    gc.set_threshold(*thresholds)


def test_empty_environment_gives_the_default() -> None:
    assert tuning_from_env({}, default=NONE) == NONE
    assert tuning_from_env({}) == tuning.RECOMMENDED


def test_every_variable_is_read() -> None:
    t = tuning_from_env(
        {
            tuning.ENV_SWITCH: "0.001",
            tuning.ENV_THRESHOLDS: "50000, 20, 100",
            tuning.ENV_FREEZE: "1",
            tuning.ENV_FREEZE_INTERVAL: "2.5",
            tuning.ENV_FULL_INTERVAL: "300",
        },
        default=NONE,
    )
    assert t == RuntimeTuning(0.001, (50000, 20, 100), True, 2.5, 300.0)


def test_an_empty_variable_restores_the_interpreter_default() -> None:
    t = tuning_from_env(
        {tuning.ENV_SWITCH: "", tuning.ENV_THRESHOLDS: "", tuning.ENV_FREEZE: "",
         tuning.ENV_FREEZE_INTERVAL: "", tuning.ENV_FULL_INTERVAL: ""},
    )
    assert t == NONE


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (tuning.ENV_SWITCH, "fast", "expected seconds"),
        (tuning.ENV_SWITCH, "0", "expected seconds in (0, 1]"),
        (tuning.ENV_THRESHOLDS, "1,2", "expected three integers"),
        (tuning.ENV_THRESHOLDS, "a,b,c", "expected three integers"),
        (tuning.ENV_FREEZE, "maybe", "expected 1 or 0"),
        (tuning.ENV_FREEZE_INTERVAL, "-1", "expected seconds > 0"),
        (tuning.ENV_FULL_INTERVAL, "0", "expected seconds > 0"),
    ],
)
def test_bad_values_name_the_variable_and_what_came(name: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(expected)) as info:
        tuning_from_env({name: value}, default=NONE)
    assert repr(value) in str(info.value) or value in str(info.value)


def test_apply_sets_the_interpreter(restore_interpreter: None) -> None:
    apply_runtime_tuning(RuntimeTuning(switch_interval_s=0.002, gc_thresholds=(1234, 11, 12)))
    assert sys.getswitchinterval() == pytest.approx(0.002)
    assert gc.get_threshold() == (1234, 11, 12)


def test_apply_nothing_leaves_the_interpreter_alone(restore_interpreter: None) -> None:
    before = (sys.getswitchinterval(), gc.get_threshold())
    apply_runtime_tuning(NONE)
    assert (sys.getswitchinterval(), gc.get_threshold()) == before


def test_after_startup_freezes(restore_interpreter: None) -> None:
    gc.unfreeze()
    try:
        tuning.after_startup(RuntimeTuning(gc_freeze_after_startup=True))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
