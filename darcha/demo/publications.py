"""The publications stage of the Namangan demo loader (publications.toml): what the hokimiyats told citizens
over a year.

Reference data (categories, tags) is entered as an administrator would (`record_save`); the press
secretaries of the hokimiyats users.toml has none for are demo users with the demo password. The year's
archive — two publications a week per hokimiyat, news, announcements, press releases and events, in uz and
ru (some also in en, some with the uz-cyrl made by transliteration and checked) — is written in bulk, as an
import of the hokimiyats' earlier sites would be, so the load takes about a second. The dozen decisions of
the hokims go through the publication services with their signed PDFs (rendered at once with
darcha/core/pdf.py, one document split into one PDF each), and so do the items on the press secretaries'
desks today: drafts, one sent for review, and two scheduled (one an embargoed press release). Like the other
stories it is loaded with the demo users only, and only where no hokimiyat has publications yet.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from darcha.core.audit import SYSTEM
from darcha.core.models import Organization, User
from darcha.core.services import membership_grant
from darcha.core.translit import latin_to_cyrillic
from darcha.infoservice.publications import sanitize, services
from darcha.infoservice.publications.choices import PublicationKind, PublicationStatus
from darcha.infoservice.publications.models import Category, Publication, PublicationText, Tag

HOKIMIYATS = ("namangan-city-hokimiyat", "yangikurgan-hokimiyat", "namangan-region-hokimiyat")
DECISIONS_PER_HOKIMIYAT = 4
WORK_HOURS = (9, 10, 11, 12, 14, 15, 16, 17)


@dataclass
class StoryResult:
    publications: int = 0
    decisions: int = 0
    seconds: float = 0.0


def _names(values) -> dict[str, str]:
    uz, ru, en = values
    return {"name_uz": uz, "name_uz_cyrl": latin_to_cyrillic(uz), "name_ru": ru, "name_en": en}


def load_reference(loader) -> None:
    """Categories and tags (an administrator's work in the admin)."""
    data = loader.data["publications"]
    present = set(Category.objects.values_list("code", flat=True))
    for spec in data["categories"]:
        if spec["code"] not in present:
            loader.save(Category(code=spec["code"], order=len(present), **_names(spec["name"])))
            present.add(spec["code"])
    tags = set(Tag.objects.values_list("code", flat=True))
    for spec in data["tags"]:
        if spec["code"] not in tags:
            loader.save(Tag(code=spec["code"], **_names(spec["name"])))


def _press(loader, data) -> dict[str, User] | None:
    logins = data["press"]
    users = {u.username: u for u in User.objects.filter(username__in=logins.values())}
    for spec in data["staff"]:
        if spec["username"] in users:
            continue
        user = User(
            username=spec["username"],
            first_name=spec["first_name"],
            last_name=spec["last_name"],
            language=spec["language"],
            email=f"{spec['username']}@darcha.example",
        )
        user.set_password(loader.data["password"])
        loader.save(user)
        membership_grant(actor=SYSTEM, user=user, organization=loader.orgs[spec["organization"]], role=spec["role"])
        users[user.username] = user
    if not set(logins.values()) <= users.keys():
        return None
    return {code: users[username] for code, username in logins.items()}


def _fill(template: str, slots: dict) -> str:
    return template.format(**slots)


def _slots(rng: random.Random, data: dict, month: int) -> dict:
    lists = data["slots"]
    return {
        "mahalla": rng.choice(lists["mahalla"]),
        "street": rng.choice(lists["street"]),
        "count": rng.choice(lists["count"]),
        "month_uz": lists["month_uz"][month - 1],
        "month_ru": lists["month_ru"][month - 1],
        "month_en": lists["month_en"][month - 1],
    }


def _text(publication, language, title, lead, body) -> PublicationText:
    text = PublicationText(
        publication=publication,
        language=language,
        title=title,
        lead=lead,
        body=sanitize.clean_html(body),
        is_published=True,
    )
    text.search_text = sanitize.search_text_of(text.title, text.lead, text.body)
    return text


def _moments(rng: random.Random, now: dt.datetime, days: int, count: int) -> list[dt.datetime]:
    start = now - dt.timedelta(days=days)
    moments = []
    for _ in range(count):
        day = timezone.localtime(start + dt.timedelta(days=rng.uniform(0, days - 1)))
        moments.append(
            day.replace(hour=rng.choice(WORK_HOURS), minute=rng.randrange(0, 60, 5), second=0, microsecond=0)
        )
    return sorted(moments)


def _archive(data, hokimiyats, press, now, rng, result: StoryResult) -> list:
    """The year's published items, written in bulk (an import of the earlier sites)."""
    categories = {c.code: c for c in Category.objects.all()}
    tags = {t.code: t for t in Tag.objects.all()}
    templates = data["templates"]
    weeks = data["days"] // 7
    shares = {key: float(data[key]) for key in ("russian", "english", "cyrillic")}
    publications, planned = [], []
    for code, organization in hokimiyats.items():
        slugs: set[str] = set()
        for moment in _moments(rng, now, data["days"], weeks * data["per_week"]):
            template = rng.choice(templates)
            slots = _slots(rng, data, moment.month)
            titles = [_fill(t, slots) for t in template["title"]]
            slug = _slug(titles[0], slugs)
            publication = Publication(
                organization=organization,
                kind=template["kind"],
                status=PublicationStatus.PUBLISHED,
                slug=slug,
                category=categories.get(template["category"]),
                author=press[code],
                reviewed_by=press[code],
                published_at=moment,
            )
            publications.append(publication)
            planned.append((publication, template, slots, moment))
    Publication.objects.bulk_create(publications, batch_size=500)
    # auto_now(_add) stamped the load's time: the year's items were written when they went out.
    texts, links = [], []
    through = Publication.tags.through
    for publication, template, slots, _moment in planned:
        title, lead, body = ([_fill(t, slots) for t in template[part]] for part in ("title", "lead", "body"))
        texts.append(_text(publication, "uz", title[0], lead[0], body[0]))
        if rng.random() < shares["russian"]:
            texts.append(_text(publication, "ru", title[1], lead[1], body[1]))
        if rng.random() < shares["english"]:
            texts.append(_text(publication, "en", title[2], lead[2], body[2]))
        if rng.random() < shares["cyrillic"]:
            texts.append(
                _text(
                    publication,
                    "uz-cyrl",
                    latin_to_cyrillic(title[0]),
                    latin_to_cyrillic(lead[0]),
                    latin_to_cyrillic(body[0]),
                )
            )
        links += [
            through(publication_id=publication.pk, tag_id=tags[tag].pk) for tag in template["tags"] if tag in tags
        ]
    PublicationText.objects.bulk_create(texts, batch_size=1000)
    through.objects.bulk_create(links, batch_size=1000)
    for publication, *_unused, moment in planned:
        publication.created_at = publication.updated_at = moment
    Publication.objects.bulk_update([p for p, *_ in planned], ["created_at", "updated_at"], batch_size=500)
    PublicationText.objects.filter(publication__in=[p for p, *_ in planned]).update(updated_at=now)
    result.publications += len(planned)
    return planned


def _slug(title: str, taken: set[str]) -> str:
    from darcha.infoservice.publications.services.editing import _slug_base

    base = _slug_base(title)
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


# --- pictures ---------------------------------------------------------------------------------------------
def _picture(rng: random.Random, colors: list[str], name: str) -> SimpleUploadedFile:
    """A drawn picture (sky, ground, a building with windows) in the template's colours, as a JPEG upload
    (checked and re-encoded by the publications' image handling, as any photo would be)."""
    from PIL import Image, ImageDraw

    width, height = 1600, 900
    sky, accent = colors
    image = Image.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, int(height * 0.72), width, height], fill="#7a8b5a")
    left = rng.randrange(120, 560)
    top = rng.randrange(200, 330)
    draw.rectangle([left, top, left + 880, int(height * 0.75)], fill="#efe9dc", outline="#444", width=6)
    for row in range(3):
        for column in range(6):
            x = left + 60 + column * 140
            y = top + 50 + row * 100
            draw.rectangle([x, y, x + 80, y + 70], fill=accent, outline="#444", width=3)
    draw.ellipse([width - 300, 80, width - 150, 230], fill="#fff3b0")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _images(data, planned, press, rng) -> None:
    """The latest news of the templates that have a picture get one, through image_add (checked, resized)."""
    wanted = int(data.get("images", 0))
    chosen = [item for item in reversed(planned) if "image_alt" in item[1]][:wanted]
    for publication, template, *_rest in chosen:
        alt = dict(zip(("uz", "ru", "en"), template["image_alt"], strict=True))
        alt["uz-cyrl"] = latin_to_cyrillic(alt["uz"])
        services.image_add(
            actor=press[publication.organization.code],
            publication=publication,
            upload=_picture(rng, template["colors"], f"{publication.slug}.jpg"),
            alt_texts=alt,
        )


# --- the decisions -------------------------------------------------------------------------------------
def _decision_pdfs(specs: list[dict]) -> list[bytes]:
    """One PDF per decision: rendered as one document (one WeasyPrint run) and split page by page."""
    from pypdf import PdfReader, PdfWriter

    from darcha.core.pdf import render_pdf

    document = render_pdf("publications/pdf/decisions.html", {"decisions": specs}, language="uz")
    reader = PdfReader(io.BytesIO(document))
    pdfs = []
    for page in reader.pages[: len(specs)]:
        writer = PdfWriter()
        writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
        pdfs.append(out.getvalue())
    return pdfs


def _decisions(data, hokimiyats, press, now, rng, result: StoryResult) -> None:
    subjects = data["decisions"]
    categories = {c.code: c for c in Category.objects.all()}
    plan = []
    for index, (code, organization) in enumerate(hokimiyats.items()):
        for n in range(DECISIONS_PER_HOKIMIYAT):
            subject = subjects[(index * DECISIONS_PER_HOKIMIYAT + n) % len(subjects)]
            published = now - dt.timedelta(days=int(330 - n * 95 - index * 7), hours=rng.randrange(0, 5))
            date = timezone.localtime(published).date() - dt.timedelta(days=rng.randrange(1, 4))
            number = f"{(n + 1) * 37 + index * 11}-Q"
            plan.append((code, organization, subject, published, date, number))
    specs = [
        {
            "organization_name": organization.name_uz,
            "address": organization.address or organization.name_uz,
            "kind_word": "QAROR",
            "place": "Namangan",
            "date": date,
            "number": number,
            "subject": subject["subject"][0],
            "paragraphs": [
                subject["text"][0],
                "Ushbu qarorning ijrosini nazorat qilish hokim oʻrinbosari zimmasiga yuklansin.",
            ],
            "signer_title": "Hokim",
            "signer": "Hokim",
        }
        for code, organization, subject, published, date, number in plan
    ]
    pdfs = _decision_pdfs(specs)
    for (code, organization, subject, published, date, number), pdf in zip(plan, pdfs, strict=True):
        uz, ru, _en = subject["subject"]
        texts = {
            "uz": {"title": f"Hokim qarori № {number}: {uz}", "lead": uz, "body": f"<p>{subject['text'][0]}</p>"},
            "ru": {"title": f"Решение хокима № {number}: {ru}", "lead": ru, "body": f"<p>{subject['text'][1]}</p>"},
        }
        publication = services.publication_create(
            actor=press[code],
            organization=organization,
            data={
                "kind": PublicationKind.DECISION,
                "category": categories.get("official"),
                "decision_number": number,
                "decision_date": date,
                "decision_subject": uz,
            },
            texts=texts,
            signed_pdf=SimpleUploadedFile(f"qaror-{number}.pdf", pdf, content_type="application/pdf"),
        )
        services.publication_publish(actor=press[code], publication=publication, now=published)
        result.decisions += 1


# --- today's desk ----------------------------------------------------------------------------------------
def _desk(data, hokimiyats, press, now, rng, result: StoryResult) -> None:
    """What the press secretaries have in hand at the load: drafts, one under review, two scheduled."""
    city = hokimiyats["namangan-city-hokimiyat"]
    secretary = press["namangan-city-hokimiyat"]
    writer = User.objects.filter(username="deputy").first()
    templates = data["templates"]

    def texts_of(template, *, russian=True):
        slots = _slots(rng, data, timezone.localtime(now).month)
        title, lead, body = ([_fill(t, slots) for t in template[part]] for part in ("title", "lead", "body"))
        out = {"uz": {"title": title[0], "lead": lead[0], "body": body[0]}}
        if russian:
            out["ru"] = {"title": title[1], "lead": lead[1], "body": body[1]}
        return out

    by_kind = {}
    for template in templates:
        by_kind.setdefault(template["kind"], []).append(template)
    services.publication_create(
        actor=secretary, organization=city, data={"kind": "news"}, texts=texts_of(by_kind["news"][0], russian=False)
    )
    services.publication_create(
        actor=secretary, organization=city, data={"kind": "announcement"}, texts=texts_of(by_kind["announcement"][0])
    )
    if writer is not None:
        review = services.publication_create(
            actor=writer, organization=city, data={"kind": "news"}, texts=texts_of(by_kind["news"][1])
        )
        services.publication_submit_review(actor=writer, publication=review)
    tomorrow = timezone.localtime(now).replace(hour=10, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    scheduled = services.publication_create(
        actor=secretary, organization=city, data={"kind": "announcement"}, texts=texts_of(by_kind["announcement"][1])
    )
    services.publication_schedule(actor=secretary, publication=scheduled, at=tomorrow, now=now)
    release = services.publication_create(
        actor=secretary,
        organization=city,
        data={"kind": "press_release", "embargo": True},
        texts=texts_of(by_kind["press_release"][0]),
    )
    services.publication_schedule(actor=secretary, publication=release, at=tomorrow + dt.timedelta(days=1), now=now)
    result.publications += 4 + (writer is not None)


def load_story(loader, *, now: dt.datetime) -> StoryResult | None:
    """The year of publications up to `now`; None when the hokimiyats have publications already or their
    press secretaries are missing."""
    data = loader.data["publications"]
    hokimiyats = {o.code: o for o in Organization.objects.filter(code__in=HOKIMIYATS)}
    if len(hokimiyats) < len(HOKIMIYATS) or Publication.objects.filter(organization__in=hokimiyats.values()).exists():
        return None
    hokimiyats = {code: hokimiyats[code] for code in HOKIMIYATS}
    press = _press(loader, data)
    if press is None:
        return None
    started = time.perf_counter()
    rng = random.Random(data["seed"])  # noqa: S311 — made-up data, not secrets
    result = StoryResult()
    planned = _archive(data, hokimiyats, press, now, rng, result)
    _images(data, planned, press, rng)
    _decisions(data, hokimiyats, press, now, rng, result)
    _desk(data, hokimiyats, press, now, rng, result)
    result.seconds = time.perf_counter() - started
    return result


def load_demo(loader, now: dt.datetime) -> None:
    """The loader's stage (load_demo, with the demo users): categories and tags, then the year."""
    load_reference(loader)
    story = load_story(loader, now=now)
    if story is not None:
        loader.result.created["publications"] += story.publications + story.decisions
