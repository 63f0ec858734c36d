"""The demo's queue of children, made up from the parameters of preschool.toml ([preschool.queue]) with a
seeded random generator: who they are, their families, how and when each joined the queue, the
privilege claimed and what staff decided. Pure: plain values in and out, no database — the loader
(darcha/demo/preschool.py) registers them through the preschool services.

The same seed, count and day of the load give the same children. Each child draws from a generator of
its own (seed and index), so one child's draws never shift another's.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

# The registry office has put newborns in the queue since 2021 (the maternity hospital's form since
# June 2023): a child born before this day was registered at the center or online.
BIRTH_REGISTRATION_SINCE = dt.date(2021, 1, 1)

BOYS = (
    "Abdulloh Muhammadali Ali Umar Muhammad Yusuf Ibrohim Sardor Jasur Azizbek Bekzod Doniyor Islom Sanjar "
    "Temur Amir Asadbek Ozodbek Behruz Shohruh Javohir Diyorbek Mironshoh Abubakr Xurshid Otabek Kamronbek "
    "Samandar Ilhom Rustam Ahmad Hasan Husan Imron Sulaymon Ismoil Bilol Akbar Firdavs Jahongir"
).split()
GIRLS = (
    "Oisha Mohinur Sumayya Robiya Asal Madina Zarina Shahzoda Malika Mubina Sevinch Dilnoza Munisa Ruxshona "
    "Hadicha Soliha Zahro Fotima Imona Marjona Laylo Nilufar Gulnoza Sabina Durdona Mohira Kumush Oydin "
    "Sarvinoz Maftuna Shahrizoda Muslima Xadija Ezoza Nozima Gulasal Hilola Sitora Mehribon Yasmina"
).split()
MEN = (
    "Akmal Anvar Baxtiyor Dilshod Eldor Farhod Gʻayrat Hasan Ilhom Jamshid Komil Laziz Mansur Nodir Oybek "
    "Poʻlat Rustam Sherzod Tohir Ulugʻbek Vohid Xurshid Yorqin Zafar Shuhrat Aziz Bobur Davron Erkin Muzaffar"
).split()
WOMEN = (
    "Dilnoza Gulnora Mohira Nargiza Feruza Zulfiya Shahnoza Dildora Barno Sevara Nilufar Umida Gavhar Oydin "
    "Zarina Madina Iroda Lola Nasiba Yulduz Kamola Nodira Hilola Munisa Shoira Mastura Gulchehra Ozoda Sabina"
).split()
SURNAMES = (
    "Karimov Rahimov Yusupov Tursunov Ergashev Mirzayev Qodirov Nazarov Sobirov Abdullayev Xolmatov Toʻxtasinov "
    "Ismoilov Haydarov Jalilov Usmonov Saidov Rustamov Boboyev Olimov Hamidov Islomov Akbarov Qosimov "
    "Egamberdiyev Tojiboyev Valiyev Fayzullayev Ahmedov Latipov Gʻaniyev Poʻlatov Sultonov Zokirov Nosirov "
    "Shermatov Alimov Oripov Muminov Qurbonov Mamatov Yoʻldoshev Umarov Zaripov Sharipov Xasanov Hakimov Komilov"
).split()
# Russian-speaking families write their names in Cyrillic, with Russian patronymics.
BOYS_RU = "Тимур Артур Руслан Давид Марат Эмиль Рустам Амир Дамир Камиль Ильяс Карим Максим Артём".split()
GIRLS_RU = "Амина Камила Сабина Алина Диана Милана Ясмина Лейла Эвелина Самира Мадина Аделина".split()
MEN_RU = "Анвар Рустам Фарход Шухрат Тимур Ренат Ильдар Марат Азиз Бахтиёр Дильшод Равшан".split()
WOMEN_RU = "Дилноза Гульнара Наргиза Феруза Лола Зарина Нигора Севара Камола Эльвира Диляра".split()
SURNAMES_RU = "Каримов Рахимов Юсупов Турсунов Ахмедов Хамидов Алимов Усманов Сафаров Ганиев Ким Пак Цой".split()
MOBILE = ("90", "91", "93", "94", "97", "99")


@dataclass(frozen=True)
class Place:
    """A city or district the children live in, and where its kindergartens are (their coordinates)."""

    code: str
    kindergartens: Sequence[tuple[str, float, float]]  # (code, latitude, longitude)


@dataclass
class Family:
    index: int
    place: str
    surname: str
    father: str  # the children's father's given name (their patronymic)
    applicant_name: str
    applicant_pinfl: str
    phone: str
    language: str  # of notices: uz or ru
    home: tuple[float, float]


@dataclass
class ChildSpec:
    index: int
    family: Family
    name: str
    birth_date: dt.date
    birth_certificate: str
    pinfl: str
    channel: str  # birth_registration, front_office, online
    registered_at: dt.datetime
    relation: str
    teaching: str  # the language of instruction the family prefers
    choices: int  # how many kindergartens it ranks (fewer when fewer take it)
    nearest: Sequence[bool]  # for each choice: among the nearest few (else anywhere in the place)
    draws: Sequence[float]  # its own random numbers, for picking programs at registration
    birth_record: str | None = None
    benefit: str | None = None
    claim_at: dt.datetime | None = None  # None: claimed at registration
    decision: str = "confirmed"  # confirmed, rejected, or claimed (not checked yet)
    decided_at: dt.datetime | None = None
    twin_of: int | None = None  # the index of the twin registered first (placed together)
    staff: bool = False  # the applicant works at its first choice


def _fraction(value) -> float:
    return float(Decimal(str(value)))


def _weighted(rng: random.Random, shares: Mapping[str, object]) -> str:
    keys = list(shares)
    return rng.choices(keys, weights=[_fraction(shares[key]) for key in keys])[0]


def pinfl(first: int, born: dt.date, serial: int) -> str:
    """A well-formed PINFL: sex and century digit, DDMMYY, six digits, the check digit."""
    from darcha.core.identifiers import pinfl_check_digit

    first13 = f"{first}{born.day:02d}{born.month:02d}{born.year % 100:02d}{serial:06d}"
    return first13 + str(pinfl_check_digit(first13))


def _at(day: dt.date, rng: random.Random, tz, *, opens: int, closes: int, weekdays_only: bool) -> dt.datetime:
    while weekdays_only and day.weekday() >= 5:
        day -= dt.timedelta(days=day.weekday() - 4)  # Saturday, Sunday → Friday
    minute = rng.randrange(opens * 60, closes * 60)
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=tz)


def make_children(params: Mapping, places: Sequence[Place], *, today: dt.date, tz, count: int | None = None):
    """(families, children) of the demo's queue, children in the order they were generated."""
    count = params["children"] if count is None else count
    rng = random.Random(f"{params['seed']}/{today.isoformat()}")  # noqa: S311 — made-up data, not secrets
    by_code = {place.code: place for place in places}
    families: list[Family] = []
    children: list[ChildSpec] = []
    latest = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(17), tzinfo=tz)

    def new_family(place: Place, russian: bool) -> Family:
        index = len(families)
        own = random.Random(f"{params['seed']}/family/{index}")  # noqa: S311 — made-up data
        _code, lat, lon = own.choice(place.kindergartens)
        # Around a kindergarten: within about a kilometre or two.
        home = (lat + own.uniform(-0.012, 0.012), lon + own.uniform(-0.015, 0.015))
        mother = own.random() < 0.8
        # The applicant is the mother or the father; `theirs` is the applicant's own father's name.
        if russian:
            surname, husband, theirs = own.choice(SURNAMES_RU), own.choice(MEN_RU), own.choice(MEN_RU)
            given = own.choice(WOMEN_RU) if mother else husband
            suffix = ("овна" if theirs[-1] not in "аяй" else "евна") if mother else "ович"
            name = f"{surname}{'а' if mother and surname[-1] in 'вн' else ''} {given} {theirs}{suffix}"
        else:
            surname, husband, theirs = own.choice(SURNAMES), own.choice(MEN), own.choice(MEN)
            given = own.choice(WOMEN) if mother else husband
            name = f"{surname}{'a' if mother else ''} {given} {theirs} {'qizi' if mother else 'oʻgʻli'}"
        born = today - dt.timedelta(days=own.randint(22 * 365, 42 * 365))
        first = (4 if mother else 3) if born.year < 2000 else (6 if mother else 5)
        phone = (
            ""
            if own.random() < _fraction(params["no_phone"])
            else (f"+998{own.choice(MOBILE)}{own.randint(1_000_000, 9_999_999)}")
        )
        family = Family(
            index=index,
            place=place.code,
            surname=surname,
            father=husband,
            applicant_name=name,
            applicant_pinfl=pinfl(first, born, 400_000 + index),
            phone=phone,
            language="ru" if russian else "uz",
            home=home,
        )
        families.append(family)
        return family

    def child_name(family: Family, own: random.Random, boy: bool) -> str:
        surname, father = family.surname, family.father
        if family.language == "ru":
            given = own.choice(BOYS_RU if boy else GIRLS_RU)
            female = "а" if surname[-1] in "вн" else ""
            suffix = "ович" if boy else ("овна" if father[-1] not in "аяй" else "евна")
            return f"{surname}{'' if boy else female} {given} {father}{suffix}"
        given = own.choice(BOYS if boy else GIRLS)
        return f"{surname}{'' if boy else 'a'} {given} {father} {'oʻgʻli' if boy else 'qizi'}"

    def birth_for(own: random.Random) -> dt.date:
        years = int(_weighted(own, params["ages"]))
        return today - dt.timedelta(days=years * 365 + own.randint(1, 364))

    def new_child(family: Family, birth: dt.date, *, twin_of: ChildSpec | None = None) -> ChildSpec:
        index = len(children)
        own = random.Random(f"{params['seed']}/child/{index}")  # noqa: S311 — made-up data
        boy = own.random() < 0.51
        if twin_of is not None:
            channel, registered = twin_of.channel, twin_of.registered_at + dt.timedelta(minutes=2)
        else:
            channel = _weighted(own, params["channels"])
            after_birth = birth + dt.timedelta(days=own.randint(3, params["birth_registration_days"]))
            if channel == "birth_registration" and after_birth < BIRTH_REGISTRATION_SINCE:
                channel = "front_office"
            if channel == "birth_registration":
                registered = _at(after_birth, own, tz, opens=9, closes=18, weekdays_only=True)
            else:
                lived = (today - birth).days
                day = birth + dt.timedelta(days=own.randint(min(30, lived - 1), max(min(lived - 1, 3 * 365), 30)))
                if channel == "online":
                    registered = _at(day, own, tz, opens=7, closes=23, weekdays_only=False)
                else:
                    registered = _at(day, own, tz, opens=9, closes=17, weekdays_only=True)
            registered = min(registered, latest)
        relation = "parent" if channel == "birth_registration" else _weighted(own, params["relations"])
        if twin_of is not None:
            relation = twin_of.relation
        teaching = "ru" if family.language == "ru" else ("ru" if own.random() < 0.02 else "uz")
        choices = int(_weighted(own, params["choices"]))
        nearest = [own.random() < _fraction(params["nearest"]) for _ in range(choices)]
        serial = 300_000 + index
        child = ChildSpec(
            index=index,
            family=family,
            name=child_name(family, own, boy),
            birth_date=birth,
            birth_certificate=f"I-NM{1_000_000 + index:07d}",
            pinfl=pinfl(5 if boy else 6, birth, serial),
            channel=channel,
            registered_at=registered,
            relation=relation,
            teaching=teaching,
            choices=choices,
            nearest=nearest,
            draws=[own.random() for _ in range(8)],
            twin_of=twin_of.index if twin_of is not None else None,
        )
        if channel == "birth_registration":
            child.birth_record = f"FHDYO-{birth.year}-{index + 1:06d}"
        if twin_of is None:
            child.staff = own.random() < _fraction(params["staff"])
            if own.random() < _fraction(params["privileged"]):
                _privilege(child, own, params, today=today, tz=tz, latest=latest)
        else:
            child.staff = twin_of.staff
            child.benefit, child.decision = twin_of.benefit, twin_of.decision
            child.claim_at = twin_of.claim_at and twin_of.claim_at + dt.timedelta(minutes=1)
            child.decided_at = twin_of.decided_at and twin_of.decided_at + dt.timedelta(minutes=1)
        children.append(child)
        return child

    while len(children) < count:
        place = by_code[_weighted(rng, params["places"])]
        family = new_family(place, rng.random() < _fraction(params["russian"]))
        first = new_child(family, birth_for(rng))
        if len(children) < count and rng.random() < _fraction(params["twins"]):
            new_child(family, first.birth_date, twin_of=first)
        elif len(children) < count and rng.random() < _fraction(params["siblings"]):
            older = first.birth_date - dt.timedelta(days=rng.randint(550, 1500))
            if (today - older).days < 7 * 365:
                new_child(family, older)
    return families, children


def _privilege(child: ChildSpec, own: random.Random, params, *, today, tz, latest) -> None:
    """The category claimed for the child, when it was claimed and what staff decided. Claimed at
    registration at the center or online when the category held then; a newborn's (the birth form has
    none) and a category that came later (poor families, 2025) are claimed at the center afterwards."""
    benefits = params["benefits"]
    code = _weighted(own, {spec["code"]: spec["share"] for spec in benefits})
    valid_from = next(spec["valid_from"] for spec in benefits if spec["code"] == code)
    child.benefit = code
    registered = child.registered_at
    if child.channel == "birth_registration" or registered.date() < valid_from:
        start = max(registered.date() + dt.timedelta(days=10), valid_from)
        end = max(start, min(today - dt.timedelta(days=2), start + dt.timedelta(days=400)))
        day = start + dt.timedelta(days=own.randint(0, (end - start).days))
        child.claim_at = min(_at(day, own, tz, opens=9, closes=17, weekdays_only=True), latest)
        if child.claim_at <= registered:
            child.claim_at = registered + dt.timedelta(minutes=5)
    claimed = child.claim_at or registered
    outcome = own.random()
    claims = params["claims"]
    if outcome < _fraction(claims["claimed"]):
        child.decision = "claimed"
        return
    rejected = outcome < _fraction(claims["claimed"]) + _fraction(claims["rejected"])
    child.decision = "rejected" if rejected else "confirmed"
    decided = claimed + dt.timedelta(days=own.randint(0, 4), hours=own.randint(1, 5))
    if decided >= latest:
        child.decision = "claimed"  # too recent: not checked yet
        return
    child.decided_at = decided


def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Kilometres between two points near Namangan (flat-earth: the places are a few km across)."""
    north = (a[0] - b[0]) * 111.0
    east = (a[1] - b[1]) * 111.0 * math.cos(math.radians(41.1))
    return math.hypot(north, east)
