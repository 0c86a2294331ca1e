"""Survey results: the journal's ``dialog.survey`` and ``dialog.survey_answered`` records
folded into figures per template and per operator (pure; ``GET /api/surveys/results``).

Per template: how many were sent and answered (the response rate), and per question (a
question is its kind and text, so a template changed over time keeps the figures of a
question it kept): a rating's count and average, a choice's count per option, a free
text's answers. Per operator (who sent them): sent, answered, the rate and the average of
every rating answered.

``SurveyTally`` folds the records one at a time, so the server keeps one and folds only
the records appended since its last answer (``frontdesk.engine.journal_views``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from frontdesk.engine.journal import Record

READS = frozenset({"dialog.survey", "dialog.survey_answered"})


@dataclass
class _Question:
    kind: str
    text: str
    options: list[str]
    ratings: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    texts: list[dict[str, Any]] = field(default_factory=list)

    def add(self, answer: Any, dialog: str) -> None:
        if answer is None:
            return
        if self.kind == "rating" and isinstance(answer, int):
            self.ratings.append(answer)
        elif self.kind in ("single", "multiple"):
            for option in answer if isinstance(answer, list) else [answer]:
                self.counts[str(option)] = self.counts.get(str(option), 0) + 1
        elif self.kind == "text":
            self.texts.append({"dialog": dialog, "text": str(answer)})

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "text": self.text}
        if self.kind == "rating":
            out.update(answers=len(self.ratings), average=_average(self.ratings))
        elif self.kind in ("single", "multiple"):
            names = [*self.options, *(o for o in self.counts if o not in self.options)]
            out["counts"] = {o: self.counts.get(o, 0) for o in names}
        else:
            out["answers"] = [dict(a) for a in self.texts]
        return out


@dataclass
class _Tally:
    sent: int = 0
    answered: int = 0
    ratings: list[int] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        return {"sent": self.sent, "answered": self.answered,
                "response_rate": round(self.answered / self.sent, 4) if self.sent else None,
                "average_rating": _average(self.ratings)}


def _average(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


class SurveyTally:
    """The survey figures folded so far: ``apply`` each record in journal order (others are
    skipped), ``figures()`` at any time. Holds each survey sent (its questions, to match
    its answer) and the free-text answers: bounded by the surveys, not the messages."""

    def __init__(self) -> None:
        self.sent: dict[tuple[str, int], dict[str, Any]] = {}
        self.templates: dict[int, tuple[str, _Tally, dict[tuple[str, str], _Question]]] = {}
        self.operators: dict[str, tuple[str, _Tally]] = {}

    def apply(self, r: Record) -> None:
        if r.type not in READS:
            return
        d = r.data
        templates, operators = self.templates, self.operators
        if r.type == "dialog.survey":
            self.sent[(d["dialog"], int(d["seq"]))] = d
            _, tally, questions = templates.get(int(d["template"]), ("", _Tally(), {}))
            tally.sent += 1
            for q in d["questions"]:
                key = (str(q["kind"]), str(q["text"]))
                if key not in questions:
                    questions[key] = _Question(key[0], key[1], [str(o) for o in q["options"]])
            templates[int(d["template"])] = (str(d["title"]), tally, questions)
            name, op = operators.get(str(d["operator"]), ("", _Tally()))
            op.sent += 1
            operators[str(d["operator"])] = (str(d["operator_name"]) or name, op)
            return
        survey = self.sent.get((d["dialog"], int(d["survey"])))
        if survey is None:
            return  # its dialog.survey is before the journal's start
        _, tally, questions = templates[int(survey["template"])]
        _, op = operators[str(survey["operator"])]
        tally.answered += 1
        op.answered += 1
        for q, answer in zip(survey["questions"], d["answers"], strict=False):
            questions[(str(q["kind"]), str(q["text"]))].add(answer, str(d["dialog"]))
            if q["kind"] == "rating" and isinstance(answer, int):
                tally.ratings.append(answer)
                op.ratings.append(answer)

    def figures(self) -> dict[str, Any]:
        """The figures now, sharing nothing the next ``apply`` changes."""
        return {
            "templates": [
                {"template": tid, "title": title, **tally.figures(),
                 "questions": [q.to_json() for q in questions.values()]}
                for tid, (title, tally, questions) in sorted(self.templates.items())
            ],
            "operators": [
                {"operator": oid, "name": name, **tally.figures()}
                for oid, (name, tally) in sorted(self.operators.items())
            ],
        }


def results(records: Iterable[Record]) -> dict[str, Any]:
    """The figures of the survey records among ``records`` (others are skipped)."""
    tally = SurveyTally()
    for r in records:
        tally.apply(r)
    return tally.figures()


def csv_rows(figures: dict[str, Any]) -> list[list[str]]:
    """The figures as CSV rows: one per question figure, then one per operator."""
    rows = [["section", "template", "title", "question", "kind", "item", "value"]]
    for t in figures["templates"]:
        base = [str(t["template"]), t["title"]]
        rows.append(["template", *base, "", "", "sent", str(t["sent"])])
        rows.append(["template", *base, "", "", "answered", str(t["answered"])])
        rows.append(["template", *base, "", "", "response_rate", _cell(t["response_rate"])])
        for q in t["questions"]:
            where = ["question", *base, q["text"], q["kind"]]
            if q["kind"] == "rating":
                rows.append([*where, "answers", str(q["answers"])])
                rows.append([*where, "average", _cell(q["average"])])
            elif q["kind"] == "text":
                rows.extend([*where, "answer", a["text"]] for a in q["answers"])
            else:
                rows.extend([*where, option, str(n)] for option, n in q["counts"].items())
    for o in figures["operators"]:
        for item in ("sent", "answered", "response_rate", "average_rating"):
            rows.append(["operator", "", o["name"] or o["operator"], "", "", item, _cell(o[item])])
    return rows


def _cell(value: Any) -> str:
    return "" if value is None else str(value)
