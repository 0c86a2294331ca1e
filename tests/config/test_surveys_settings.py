"""``[surveys]``: on_close and answer_window_s reach the engine; bad values are refused
naming the key, what was expected and what came."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.config.loader import load_settings
from frontdesk.engine.errors import ConfigError
from frontdesk.web.node import with_demo_close_survey
from tests.config.test_loader import toml


def test_the_survey_settings_reach_the_engine(tmp_path: Path) -> None:
    s = load_settings(toml(tmp_path, '[surveys]\non_close = " Satisfaction "\n'
                           "answer_window_s = 3600\n"), {})
    assert s.surveys.on_close == " Satisfaction "
    assert s.engine.survey_on_close == "Satisfaction"
    assert s.engine.survey_answer_window_s == 3600.0
    default = load_settings(None, {})
    assert default.engine.survey_on_close == "" and default.engine.survey_answer_window_s == 86400
    env = load_settings(None, {"FRONTDESK_SURVEYS__ON_CLOSE": "CSAT"})
    assert env.engine.survey_on_close == "CSAT"


@pytest.mark.parametrize(("text", "message"), [
    ("answer_window_s = 0", r"surveys\.answer_window_s: expected a number 60-2592000, got 0"),
    ("answer_window_s = 2592001", r"surveys\.answer_window_s: expected a number 60-2592000"),
    ('answer_window_s = "a day"', r"surveys\.answer_window_s: expected a number"),
    ('on_close = "bad\\ntitle"', r"surveys\.on_close: expected the title of a survey template"),
    ("on_close = 7", r"surveys\.on_close: expected a string"),
    (f'on_close = "{"x" * 121}"', r"surveys\.on_close: expected the title .*at most 120"),
    ("bogus = 1", r"unknown setting surveys\.bogus"),
])
def test_bad_survey_settings_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(toml(tmp_path, f"[surveys]\n{text}\n"), {})


def test_the_engine_keys_point_to_the_surveys_section(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"engine\.survey_on_close: set surveys\.on_close"):
        load_settings(toml(tmp_path, '[engine]\nsurvey_on_close = "x"\n'), {})
    with pytest.raises(ConfigError, match=r"unknown setting engine\.close_surveys"):
        load_settings(toml(tmp_path, '[engine]\nclose_surveys = "x"\n'), {})


def test_a_demo_sends_its_satisfaction_survey_unless_another_is_named(tmp_path: Path) -> None:
    s = load_settings(None, {})
    assert with_demo_close_survey(s, False) is s
    demo = with_demo_close_survey(s, True)
    assert demo.engine.survey_on_close == "Satisfaction" == demo.surveys.on_close
    assert demo.engine.close_surveys is s.engine.close_surveys  # the same board
    named = load_settings(toml(tmp_path, '[surveys]\non_close = "CSAT"\n'), {})
    assert with_demo_close_survey(named, True).engine.survey_on_close == "CSAT"
