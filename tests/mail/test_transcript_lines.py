"""The transcript's lines of the survey entries: the survey sent (by an operator or with
the close, ``[surveys] on_close``) and the visitor's answer, which may follow the close."""

from __future__ import annotations

from frontdesk.adapters.mail.transcript import build_transcript, line_of


def test_a_survey_and_its_answer_after_the_close_are_lines_of_the_transcript() -> None:
    entries = [
        {"type": "dialog.message", "seq": 3, "at": 0.0, "name": "Ann", "text": "Bye"},
        {"type": "dialog.survey", "seq": 4, "at": 0.0, "title": "Satisfaction"},
        {"type": "dialog.closed", "seq": 5, "at": 0.0},
        {"type": "dialog.survey_answered", "seq": 6, "at": 0.0, "survey": 4},
    ]
    assert [line_of(e) for e in entries[1:]] == [
        ("", "Survey \u201cSatisfaction\u201d sent."), ("", "The chat was closed."),
        ("", "You answered the survey. Thank you!")]
    transcript = build_transcript("d-1", entries)
    assert "You answered the survey. Thank you!" in transcript.text
