"""The demo bike shop's shared predefined answers, so ``/hours`` works in ``make demo``."""

from __future__ import annotations

from frontdesk.adapters.predefined.answers import AnswerDraft

DEMO_ANSWERS: tuple[AnswerDraft, ...] = (
    AnswerDraft("Hello", "Hello {visitor.name}, I'm {operator.name} from the bike shop. "
                "How can I help?", "hello"),
    AnswerDraft("Opening hours", "Hi {visitor.name}, we are open **Monday to Saturday, "
                "9:00 to 18:00**; closed on Sundays and public holidays.", "hours"),
    AnswerDraft("Returns", "Unused items can be returned within **30 days** for a full "
                "refund. Reply to your order e-mail and we send you a return label.", "returns"),
    AnswerDraft("Shipping", "Orders ship within 1-2 working days; delivery takes 2-4 days.",
                "shipping"),
    AnswerDraft("Goodbye", "Thanks for chatting with us, {visitor.name}. Have a good ride!",
                "bye"),
)
