"""``frontdesk.adapters.peer_auth``: a proof that is not one is refused, never an exception.

Found by tests/fuzz: a stranger's ``repl.auth`` whose proof held a lone surrogate
(``"\\ud800"``, valid JSON) made ``verify`` raise ``UnicodeEncodeError``, and the link was
closed 1011 with a traceback instead of the documented refusal (1008)."""

from __future__ import annotations

import pytest

from frontdesk.adapters import peer_auth

KEY = peer_auth.link_key("secret", peer_auth.REPLICATION)
MINE, THEIRS = peer_auth.new_nonce(), peer_auth.new_nonce()


@pytest.mark.parametrize("given", ["\ud800", "é" * 64, "", None, 7, ["a"], "0" * 64])
def test_a_proof_that_is_not_the_right_one_is_false(given: object) -> None:
    assert not peer_auth.verify(KEY, given, role="backup", name="b", verifier_nonce=MINE,
                                prover_nonce=THEIRS)


def test_a_name_with_a_lone_surrogate_cannot_be_proven() -> None:
    assert not peer_auth.verify(KEY, "0" * 64, role="backup", name="b\ud800",
                                verifier_nonce=MINE, prover_nonce=THEIRS)


def test_the_right_proof_is_true() -> None:
    right = peer_auth.proof(KEY, "backup", "b", MINE, THEIRS)
    assert peer_auth.verify(KEY, right, role="backup", name="b", verifier_nonce=MINE,
                            prover_nonce=THEIRS)
