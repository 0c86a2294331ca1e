"""The demo's bike-shop knowledge base, so a demo operator sees suggestions at once."""

from __future__ import annotations

from frontdesk.adapters.knowledge.articles import ArticleDraft

DEMO_ARTICLES: tuple[ArticleDraft, ...] = (
    ArticleDraft("Opening hours", ("When are you open?", "What are your opening hours?",
                 "Are you open on Sunday?"),
                 "We are open **Monday to Saturday, 9:00 to 18:00**; closed on Sundays and "
                 "public holidays.", ("shop",)),
    ArticleDraft("Store location and parking", ("Where is the shop?", "What is your address?",
                 "Is there parking near the store?"),
                 "The shop is at 12 Harbour Street, next to the train station. Free parking "
                 "for customers behind the building.", ("shop",)),
    ArticleDraft("Shipping times", ("How long does delivery take?", "When will my order ship?",
                 "How many days for shipping?"),
                 "Orders ship within **1-2 working days**; delivery takes 2-4 days by courier.",
                 ("orders", "shipping")),
    ArticleDraft("Shipping costs", ("How much is shipping?", "Is delivery free?",
                 "What does postage cost?"),
                 "Shipping is free over 100 €; below that a flat 6.90 €. Bikes ship for 49 €.",
                 ("orders", "shipping")),
    ArticleDraft("Returns and refunds", ("Can I return an item?", "How do I get a refund?",
                 "What is your return policy?"),
                 "Unused items can be returned within **30 days** for a full refund; the "
                 "refund reaches your card within 5 days of our receiving the parcel.",
                 ("orders", "returns")),
    ArticleDraft("Order tracking", ("Where is my order?", "How can I track my parcel?",
                 "My package has not arrived"),
                 "Every order has a tracking link in its confirmation e-mail; it works once "
                 "the courier scans the parcel.", ("orders", "shipping")),
    ArticleDraft("Frame size guide", ("What frame size do I need?", "Which bike size fits "
                 "my height?", "How do I choose the right size?"),
                 "Measure your inside leg and see our size chart: 160-170 cm is usually S, "
                 "170-180 cm M, 180-190 cm L.", ("bikes", "sizing")),
    ArticleDraft("Warranty", ("How long is the warranty?", "Is my frame guaranteed?",
                 "What does the guarantee cover?"),
                 "Frames carry a **5-year warranty**, components 2 years; wear parts such as "
                 "tyres and brake pads are not covered.", ("bikes", "warranty")),
    ArticleDraft("Servicing and repairs", ("Do you repair bikes?", "Can I book a service?",
                 "How much is a tune-up?"),
                 "Our workshop services all brands; a basic tune-up costs 59 €. Book a slot "
                 "online or drop in.", ("workshop",)),
    ArticleDraft("Flat tyre", ("I have a puncture", "How do I fix a flat tire?",
                 "My tyre keeps losing air"),
                 "Check the tyre for thorns, replace or patch the inner tube and pump to the "
                 "pressure printed on the sidewall. We fit a new tube for 12 €.",
                 ("workshop", "tyres")),
    ArticleDraft("E-bike battery", ("How long does the e-bike battery last?", "How do I "
                 "charge the battery?", "What is the range of the electric bike?"),
                 "A full charge takes about 4 hours and gives 60-120 km depending on the "
                 "assistance level; store the battery half charged in winter.",
                 ("bikes", "ebike")),
    ArticleDraft("Payment methods", ("How can I pay?", "Do you accept credit cards?",
                 "Can I pay by invoice?"),
                 "We accept credit and debit cards, PayPal and bank transfer; invoice for "
                 "business customers.", ("orders", "payment")),
    ArticleDraft("Financing", ("Can I pay in instalments?", "Do you offer financing?",
                 "Is there a monthly payment plan?"),
                 "Bikes over 500 € can be paid in 6, 12 or 24 monthly instalments at 0 % "
                 "interest.", ("payment",)),
    ArticleDraft("Test rides", ("Can I test ride a bike?", "Can I try before buying?",
                 "Do you offer test rides?"),
                 "Yes: any bike in stock can be test ridden in the shop; bring an ID.",
                 ("bikes", "shop")),
    ArticleDraft("Gift cards", ("Do you sell gift cards?", "Can I buy a voucher?",
                 "How do I redeem a gift card?"),
                 "Gift cards from 10 € to 500 € are sold in the shop and online and are "
                 "valid for 3 years.", ("shop", "payment")),
    ArticleDraft("Bike assembly", ("Does the bike arrive assembled?", "Do I need to build "
                 "the bike myself?", "How do I assemble my new bike?"),
                 "Bikes arrive 90 % assembled: fit the handlebar and pedals with the tools "
                 "in the box; a video guide is linked in your order e-mail.",
                 ("bikes", "orders")),
    ArticleDraft("Cancel an order", ("How do I cancel my order?", "Can I change my order?",
                 "I ordered the wrong item"),
                 "Orders can be cancelled or changed until they ship: reply to your order "
                 "e-mail or ask us here.", ("orders",)),
    ArticleDraft("Brakes", ("My brakes squeak", "How do I adjust my brakes?",
                 "The brakes feel soft"),
                 "Squeaking discs usually need cleaning with alcohol; soft hydraulic brakes "
                 "need bleeding, which our workshop does for 25 €.", ("workshop", "brakes")),
    ArticleDraft("Gears", ("My gears skip", "How do I adjust the derailleur?",
                 "The chain jumps between gears"),
                 "Skipping gears usually mean a stretched cable: turn the barrel adjuster a "
                 "quarter turn or let our workshop index them.", ("workshop",)),
    ArticleDraft("Kids' bikes", ("What bike for my child?", "Which size for a 6 year old?",
                 "Do you have bikes for kids?"),
                 "Kids' bikes are sized by wheel: 16\" for ages 4-6, 20\" for 6-9, 24\" for "
                 "8-12.", ("bikes", "sizing")),
)
