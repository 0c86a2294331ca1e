"""The status an operator starts in when their console logs in (issue 17, finding 7):
``server.initial_operator_status``, by default one that takes no new dialogs."""

from __future__ import annotations

import pytest

from frontdesk.config.loader import load_settings
from frontdesk.engine.errors import ConfigError
from frontdesk.engine.settings import EngineSettings
from tests.web.nodes import Node


@pytest.fixture
def engine_settings() -> EngineSettings:
    return EngineSettings(initial_operator_status="no_new_dialog")


async def test_an_operator_starts_in_the_initial_status_and_gets_no_dialog(node: Node) -> None:
    ann = await node.operator("ann")
    status = await ann.wait_for({"type": "operator.status", "operator": "ann"})
    assert status["status"] == "no_new_dialog"
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    assert (await vera.expect("dialog.position"))["position"] == 1
    await ann.set_status("connected")  # the operator's own choice, then dialogs come
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})


def test_the_default_takes_no_new_dialogs_and_bad_values_are_named() -> None:
    settings = load_settings(None, environ={})
    assert settings.server.initial_operator_status == "no_new_dialog"
    assert settings.engine.initial_operator_status == "no_new_dialog"
    chosen = load_settings(None, environ={"FRONTDESK_SERVER__INITIAL_OPERATOR_STATUS": "on_break"})
    assert chosen.engine.initial_operator_status == "on_break"
    with pytest.raises(ConfigError) as refused:
        load_settings(None, environ={"FRONTDESK_SERVER__INITIAL_OPERATOR_STATUS": "sleeping"})
    assert "initial_operator_status" in str(refused.value) and "sleeping" in str(refused.value)
    with pytest.raises(ConfigError, match=r"initial_operator_status.*'asleep'"):
        EngineSettings(initial_operator_status="asleep")
