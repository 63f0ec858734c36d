"""The demo's year of citizens' appeals, made up from the parameters and templates of appeals.toml
([appeals]) with a seeded random generator: who writes, to which hokimiyat, about what, in which language
and script, by which channel, when, and what is to become of the appeal (its outcome and the turns of its
work: extensions, a late answer, a draft sent back, the author's rating, publishing). Pure: plain values in
and out, no database — the loader's appeals stage (darcha/demo/appeals.py) plays them through the services.

The same seed, count and day of the load give the same appeals; each appeal draws from a generator of its
own (seed and index), so one appeal's draws never shift another's.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from darcha.core.translit import latin_to_cyrillic

MOBILE = ("90", "91", "93", "94", "97", "99", "33", "88")
# Channels an anonymous appeal comes by (a partner reception checks its authors' names).
ANONYMOUS_CHANNELS = ("web", "letter", "hotline")
# Outcomes answered on the merits by an executor, the head approving.
ON_MERITS = ("satisfied", "explained", "refused")
# The first appeals of a year cover every outcome, old enough to be closed at the load, so that even a
# quick year (the tests') has each; a repeat of the first follows them.
COVER = ("satisfied", "explained", "refused", "forwarded", "returned", "not_considered", "withdrawn", "satisfied")


@dataclass
class AppealSpec:
    index: int
    hokimiyat: str
    topic: str
    language: str  # of the answer: uz, uz-cyrl or ru
    text: str
    author_name: str
    author_address: str
    phone: str
    email: str
    channel: str
    type: str  # application, proposal, complaint
    received_at: dt.datetime
    outcome: str  # what it comes to, if the year gets that far
    slots: dict[str, str] = field(default_factory=dict)  # the template's values, for the answer
    signatories: list[tuple[str, str]] = field(default_factory=list)
    consent: bool = False
    location: tuple[Decimal, Decimal, str] | None = None
    repeat_of: int | None = None  # the index of the appeal it repeats (same author, same matter)
    extended: bool = False
    head_extended: bool = False
    late: bool = False  # answered after the term
    sent_back: bool = False
    co_executor: bool = False
    resolution: bool = False
    rating: str = ""  # satisfied, not_satisfied, or not rated
    published: bool = False
    draws: Sequence[float] = ()  # its own random numbers, for the timeline


def _share(value) -> float:
    return float(Decimal(str(value)))


def _weighted(rng: random.Random, shares: Mapping[str, object]) -> str:
    keys = list(shares)
    return rng.choices(keys, weights=[_share(shares[key]) for key in keys])[0]


def _moment(day: dt.date, rng: random.Random, tz, *, opens: int, closes: int, weekdays_only: bool) -> dt.datetime:
    while weekdays_only and day.weekday() >= 5:
        day -= dt.timedelta(days=day.weekday() - 4)  # Saturday, Sunday → Friday
    minute = rng.randrange(opens * 60, closes * 60)
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=tz)


def _phone(rng: random.Random) -> str:
    return f"+998{rng.choice(MOBILE)}{rng.randint(1_000_000, 9_999_999)}"


def make_appeals(params: Mapping, *, today: dt.date, tz, count: int | None = None) -> list[AppealSpec]:
    """The appeals of the year before `today`, in the order they were generated (not of time)."""
    count = params["count"] if count is None else count
    rng = random.Random(f"{params['seed']}/{today.isoformat()}")  # noqa: S311 — made-up data, not secrets
    places = {place["hokimiyat"]: place for place in params["places"]}
    topics = params["topics"]
    latest = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(17), tzinfo=tz)
    earliest = today - dt.timedelta(days=int(params["days"]))
    specs: list[AppealSpec] = []
    work = params["work"]

    for index in range(count):
        own = random.Random(f"{params['seed']}/appeal/{index}")  # noqa: S311 — made-up data
        hokimiyat = _weighted(rng, params["hokimiyats"])
        place = places[hokimiyat]
        earlier = [s for s in specs[-400:] if s.hokimiyat == hokimiyat and s.outcome in ON_MERITS]
        if index == len(COVER):
            spec = _repeat(specs[0], index, own, tz, latest, outcome="repeated")
        elif index > len(COVER) and earlier and own.random() < _share(params["repeated"]):
            spec = _repeat(own.choice(earlier), index, own, tz, latest)
        elif index < len(COVER):
            # In the year's first months, whatever the seed draws; the topics that may be forwarded first.
            topic = next(t for t in topics if t.get("forward")) if COVER[index] == "forwarded" else topics[index]
            until = dt.datetime.combine(earliest + dt.timedelta(days=120), dt.time(17), tzinfo=tz)
            home = places[list(params["hokimiyats"])[index % len(places)]]
            spec = _new(params, index, own, home, topic, tz, earliest, until, latest, outcome=COVER[index])
        else:
            spec = _new(params, index, own, place, own.choice(topics), tz, earliest, latest, latest)
        spec.draws = [own.random() for _ in range(12)]
        specs.append(spec)
        if spec.outcome in ON_MERITS:
            spec.extended = spec.type != "proposal" and own.random() < _share(work["extended"])
            spec.head_extended = spec.extended and own.random() < _share(work["head_extended"])
            spec.late = own.random() < _share(work["late"])
            spec.sent_back = own.random() < _share(work["sent_back"])
            spec.co_executor = own.random() < _share(work["co_executor"])
            spec.resolution = own.random() < _share(work["resolution"])
            draw = own.random()
            if draw < _share(work["not_satisfied"]):
                spec.rating = "not_satisfied"
            elif draw < _share(work["not_satisfied"]) + _share(work["satisfied"]):
                spec.rating = "satisfied"
            spec.published = spec.consent and own.random() < _share(params["published"])
        if index == 0:  # the covering year: rated not satisfied (flagged to the head), published, extended
            spec.type, spec.consent, spec.published, spec.rating = "application", True, True, "not_satisfied"
        elif index == len(COVER) - 1:
            spec.type, spec.extended, spec.head_extended, spec.sent_back = "complaint", True, True, True
            spec.signatories = spec.signatories or [(spec.author_name, spec.author_address), ("Saidov Komil", "")]
    return specs


def _new(
    params, index, own: random.Random, place, topic, tz, earliest: dt.date, until, latest, outcome: str | None = None
) -> AppealSpec:
    authors = params["authors"]
    russian = own.random() < _share(params["russian"])
    cyrillic = not russian and own.random() < _share(params["cyrillic"])
    woman = own.random() < 0.45
    if russian:
        surname = own.choice(authors["surnames_ru"])
        given = own.choice(authors["women_ru" if woman else "men_ru"])
        name = f"{surname}{'а' if woman and surname[-1] in 'вн' else ''} {given}"
    else:
        surname = own.choice(authors["surnames"])
        given = own.choice(authors["women" if woman else "men"])
        name = f"{surname}{'a' if woman else ''} {given}"
    street, mahalla = own.choice(place["streets"]), own.choice(place["mahallas"])
    house = str(own.randint(1, 140))
    slots = {
        "street": street,
        "mahalla": mahalla,
        "house": house,
        "months": str(own.randint(2, 11)),
        "n": str(own.randint(2, 48)),
        "year": str(own.randint(1998, 2020)),
    }
    language = "ru" if russian else "uz"
    phrases = params["phrases"]
    body = own.choice(topic[f"texts_{language}"]).format(**slots)
    parts = [body]
    if own.random() < 0.5:
        parts.insert(0, own.choice(phrases[f"openings_{language}"]))
    if own.random() < 0.5:
        parts.append(own.choice(phrases[f"closings_{language}"]))
    text = " ".join(parts)
    if russian:
        address = f"{place['town_ru']}, ул. {street}, д. {house}"
    else:
        address = f"{place['town']}, {mahalla} MFY, {street} koʻchasi, {house}-uy"
    if cyrillic:
        text, name, address, language = (
            latin_to_cyrillic(text),
            latin_to_cyrillic(name),
            latin_to_cyrillic(address),
            "uz-cyrl",
        )
    outcome = outcome or _weighted(own, params["outcomes"])
    if outcome == "forwarded" and not (topic.get("forward") or topic.get("forward_name")):
        outcome = "explained"
    if outcome == "terminated":
        outcome = "withdrawn"  # a repeat without new arguments is the other termination (`_repeat`)
    channel = _weighted(own, params["channels"])
    if outcome == "not_considered":
        channel = own.choice(ANONYMOUS_CHANNELS)
        if own.random() < 0.6:
            name = ""
        else:
            address = ""
    day = earliest + dt.timedelta(days=own.randint(0, (min(until, latest).date() - earliest).days))
    if channel in ("web", "virtual_reception"):
        received = _moment(day, own, tz, opens=7, closes=23, weekdays_only=False)
    else:
        received = _moment(day, own, tz, opens=9, closes=17, weekdays_only=True)
    draw = own.random()
    kind = "proposal" if draw < _share(params["proposal"]) else "application"
    if kind == "application" and own.random() < _share(params["complaint"]):
        kind = "complaint"
    spec = AppealSpec(
        index=index,
        hokimiyat=place["hokimiyat"],
        topic=topic["code"],
        language=language,
        text=text,
        author_name=name,
        author_address=address,
        phone=_phone(own) if own.random() < _share(params["phone"]) else "",
        email=f"murojaat{index}@pochta.example" if own.random() < _share(params["email"]) else "",
        channel=channel,
        type=kind,
        received_at=min(received, latest),
        outcome=outcome,
        slots={**slots, "name": name},
        consent=own.random() < _share(params["consent"]),
    )
    if topic.get("takes_location") and own.random() < _share(params["located"]):
        lat = Decimal(place["latitude"]) + Decimal(own.randint(-200, 200)) / 10_000
        lon = Decimal(place["longitude"]) + Decimal(own.randint(-250, 250)) / 10_000
        spec.location = (lat, lon, f"{street}, {house}")
    if name and own.random() < _share(params["collective"]):
        neighbours = own.randint(2, 7)
        spec.signatories = [(name, address)] + [
            (
                f"{own.choice(authors['surnames'])} {own.choice(authors['men'] + authors['women'])}",
                address.replace(house, str(own.randint(1, 140))),
            )
            for _ in range(neighbours)
        ]
        if cyrillic:
            spec.signatories = [(latin_to_cyrillic(n), a) for n, a in spec.signatories]
    return spec


def _repeat(first: AppealSpec, index: int, own: random.Random, tz, latest, outcome: str | None = None) -> AppealSpec:
    """The same author writing again about the same matter, some weeks later: half of them bring nothing
    new (the officer terminates it), the others are answered anew."""
    received = min(first.received_at + dt.timedelta(days=own.randint(20, 60), hours=own.randint(0, 5)), latest)
    return AppealSpec(
        index=index,
        hokimiyat=first.hokimiyat,
        topic=first.topic,
        language=first.language,
        text=first.text,
        author_name=first.author_name,
        author_address=first.author_address,
        phone=first.phone,
        email=first.email,
        channel=first.channel if first.channel not in ("virtual_reception", "peoples_reception") else "web",
        type="complaint" if own.random() < 0.5 else first.type,
        received_at=received,
        outcome=outcome or ("repeated" if own.random() < 0.5 else own.choice(ON_MERITS)),
        slots=dict(first.slots),
        consent=first.consent,
        location=first.location,
        repeat_of=first.index,
    )
