"""Search: any text is a safe query, and paraphrased questions find their article."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontdesk.adapters.knowledge import KnowledgeBase, KnowledgeError
from frontdesk.adapters.knowledge.demo import DEMO_ARTICLES

# (a visitor's question, in words of no article's questions, -> the intended article's title)
PARAPHRASES = [
    ("what time do you open tomorrow", "Opening hours"),
    ("is the shop open sundays", "Opening hours"),
    ("what's the street address of your store", "Store location and parking"),
    ("can I park my car at the shop", "Store location and parking"),
    ("how many days until my delivery arrives", "Shipping times"),
    ("is there free shipping", "Shipping costs"),
    ("I want my money back, how do refunds work", "Returns and refunds"),
    ("tracking number for my parcel please", "Order tracking"),
    ("I'm 175 cm tall, what size frame", "Frame size guide"),
    ("is the frame covered by warranty", "Warranty"),
    ("I'd like to book my bike in for a service", "Servicing and repairs"),
    ("got a puncture on the way home", "Flat tyre"),
    ("how far can the electric bike go on one charge", "E-bike battery"),
    ("do you take paypal", "Payment methods"),
    ("can I spread the cost in monthly instalments", "Financing"),
    ("could I take a bike for a test ride", "Test rides"),
    ("I want to buy a gift voucher for my brother", "Gift cards"),
    ("does the bike come assembled or do I build it", "Bike assembly"),
    ("please cancel the order I placed yesterday", "Cancel an order"),
    ("my disc brakes make a squeaking noise", "Brakes"),
]


@pytest.fixture
def demo_kb(kb: KnowledgeBase) -> KnowledgeBase:
    for draft in DEMO_ARTICLES:
        kb.create(draft, by="demo")
    return kb


def test_paraphrased_questions_find_their_article_in_the_top_3(demo_kb: KnowledgeBase) -> None:
    misses = []
    for question, title in PARAPHRASES:
        top = [h.article.title for h in demo_kb.search(question, limit=3)]
        if title not in top:
            misses.append((question, title, top))
    assert misses == []


def test_a_hit_has_a_snippet_of_the_answer_as_text(demo_kb: KnowledgeBase) -> None:
    (hit, *_) = demo_kb.search("opening hours")
    assert hit.article.title == "Opening hours"
    assert hit.snippet.startswith("We are open Monday to Saturday")


@pytest.mark.parametrize(
    "text",
    ['"', '"open', "open*", "* OR", "NEAR(open hours)", "-open", "open -hours", "title:open",
     "^open", "open AND", "(", "'); DROP TABLE knowledge_article; --", "", "   ", "_", "or"],
)
def test_query_syntax_is_only_words(demo_kb: KnowledgeBase, text: str) -> None:
    for hit in demo_kb.search(text):
        assert hit.article.enabled
    assert len(demo_kb.articles()) == len(DEMO_ARTICLES)


def test_a_long_question_is_answered_and_a_longer_one_refused(demo_kb: KnowledgeBase) -> None:
    assert demo_kb.search(("opening hours " * 715)[:10_000])[0].article.title == "Opening hours"
    with pytest.raises(KnowledgeError, match="expected at most 10000 characters, got 10001"):
        demo_kb.search("a" * 10_001)


def test_a_lone_surrogate_is_refused_clearly(demo_kb: KnowledgeBase) -> None:
    with pytest.raises(KnowledgeError, match=r"query: expected text without lone surrogates"):
        demo_kb.search("open \udc80 hours")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=300))
def test_any_text_is_answered_or_refused_cleanly(demo_kb: KnowledgeBase, text: str) -> None:
    try:
        hits = demo_kb.search(text)
    except KnowledgeError as exc:
        assert str(exc).startswith("query: ")
    else:
        assert len(hits) <= 5
