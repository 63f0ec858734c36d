"""Publications (issue 14): the public list and a feed among 100,000 publications, beside the bare view.

PostgreSQL only, in a database of its own, `darcha_bench_publications` (`BENCH_PUBLICATIONS_DB` names
another), dropped and created again, migrated, `darcha load_demo` without its appeals and children — the
demo's hokimiyats, press secretaries, categories, tags and its year of publications — and dropped at the
end (`BENCH_PUBLICATIONS_KEEP=1` keeps it).

1. Bulk load: 100,000 publications (`BENCH_PUBLICATIONS` another number) of the demo's three hokimiyats
   over four years, every kind, with the demo's texts (publications.toml's templates): each in uz, 70 % also
   in ru, 15 % in en, 10 % in uz-cyrl, with their folded search text, categories and tags, written with
   COPY (through the services a hundred thousand would take an hour), then VACUUM ANALYZE.
2. Pages on gunicorn (2 sync workers), 64 connections, beside the bare JSON view on the same server, served
   twice: as anonymous visitors get them (the page cache holds the answers: core.pagecache), and with the
   page cache off (PAGE_CACHE_ENABLED=0: what rendering a page costs, every request; a page slower than
   100 ms alone is measured at 2 connections): every organization's list (`/news/`), one hokimiyat's list,
   a search across scripts (`?q=мактаб`), and the hokimiyat's RSS feed. A row fails on any non-2xx answer;
   the server's CPU time per request is shown beside req/s and p99.

The load runs in a subprocess: `python bench/bench_publications.py load <json>`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
import urllib.parse
from pathlib import Path

from harness import (
    BenchError,
    Context,
    Database,
    Row,
    Server,
    _env_flag,
    _postgres_version,
    http_get,
    in_own_postgres_database,
    manage,
    run_step,
    server_env,
)

NAME = "publications"
DB_NAME = os.environ.get("BENCH_PUBLICATIONS_DB", "").strip() or "darcha_bench_publications"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
PUBLICATIONS = int(os.environ.get("BENCH_PUBLICATIONS") or 100_000)
CONNECTIONS = 64
HOKIMIYAT = "namangan-city-hokimiyat"
BENCH_DIR = Path(__file__).resolve().parent


# --- the run (bench/run.py) -----------------------------------------------------------------------


def run(ctx: Context) -> list[Row]:
    return in_own_postgres_database(ctx, NAME, DB_NAME, _run, keep=_env_flag("BENCH_PUBLICATIONS_KEEP"))


def _run(ctx: Context) -> list[Row]:
    env = server_env(DB_URL)
    started = time.monotonic()
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_demo", "--appeals", "0", "--preschool-children", "0", "-v", "0")
    db = Database(DB_URL, "PostgreSQL", _postgres_version(DB_URL), "migrated, `darcha load_demo`, bulk load")
    prepared = time.monotonic() - started
    try:
        print(f"  {NAME}: load …", file=sys.stderr, flush=True)
        load = run_step(__file__, NAME, env, "load", {"publications": PUBLICATIONS}, timeout=1800)
        ctx.notes.append(
            f"{NAME}: database {DB_NAME} (PostgreSQL {db.version}): migrate + load_demo {prepared:.0f} s; "
            f"{load['publications']:,} publications ({load['texts']:,} texts, {load['tags']:,} tag links) loaded "
            f"in {load['seconds']:.0f} s (COPY {load['copy_s']:.0f} s, VACUUM ANALYZE {load['vacuum_s']:.0f} s); "
            f"{load['public']:,} public in all, {load['hokimiyat_public']:,} of {HOKIMIYAT}"
        )
        return _pages(ctx, db, env)
    finally:
        db.close()


PAGES = [
    ("every organization's list", "/news/"),
    ("one hokimiyat's list", f"/news/{HOKIMIYAT}/"),
    ("search across scripts", "/news/?q=" + urllib.parse.quote("мактаб")),
    ("one hokimiyat's RSS feed", f"/news/{HOKIMIYAT}/rss.xml"),
]


def _pages(ctx: Context, db: Database, env: dict[str, str]) -> list[Row]:
    import bench_cases

    # bench_cases' measuring and notes, labelled as this benchmark's for the time of the run.
    named, bench_cases.NAME = bench_cases.NAME, NAME
    try:
        return _measured_pages(ctx, db, env)
    finally:
        bench_cases.NAME = named


def _measured_pages(ctx: Context, db: Database, env: dict[str, str]) -> list[Row]:
    from bench_cases import _measure, _observe
    from bench_catalog import variants

    count = f"{PUBLICATIONS:,} publications"
    rows: list[Row] = []
    for cached in (True, False):
        label = "page cache" if cached else "no page cache"
        server_env_ = dict(env, PAGE_CACHE_ENABLED="1" if cached else "0")
        server = Server(f"{NAME}-wsgi-{'cached' if cached else 'uncached'}", dict(variants(ctx))["wsgi"], server_env_)
        ctx.servers[f"{NAME} (wsgi, {label})"] = server.display
        variant = f"{count}, wsgi, {label}"
        measured: list[Row] = []
        with server:
            measured.append(
                _measure(
                    ctx,
                    db,
                    server,
                    view="bare JSON view",
                    path="/health/live/",
                    variant=variant,
                    connections=CONNECTIONS,
                    baseline=True,
                )  # fmt: skip
            )
            for view, path in PAGES:
                single = []
                status, body = 0, b""
                for _attempt in range(3):  # one request at a time: what a page costs before any contention
                    began = time.monotonic()
                    status, body = http_get(server.url(path), timeout=30)
                    single.append((time.monotonic() - began) * 1000)
                    if status != 200:
                        break
                if status != 200:
                    ctx.failures.append(f"{NAME}: {label}: GET {path} answered {status}: {body[:300]!r}")
                    continue
                alone = sorted(single)[1]
                ctx.notes.append(f"{NAME}/{label}: {view}: {alone:.1f} ms for one request alone ({len(body):,} bytes)")
                # A page slower than 100 ms alone (with the page cache off: a search reads every text) is
                # measured at 2 connections, one a worker, so requests finish within wrk's 5 s timeout and p99
                # is the page's own time, not 64 ÷ req/s.
                connections = CONNECTIONS if alone < 100 else 2
                try:
                    row = _measure(
                        ctx, db, server, view=view, path=path, variant=variant, connections=connections, check=False
                    )
                except BenchError as error:
                    ctx.failures.append(f"{NAME}: {label}: {view}: {str(error)[:300]}")
                    continue
                row.extra["response_bytes"] = len(body)
                row.extra["alone_ms"] = round(alone, 1)
                if row.errors:
                    ctx.failures.append(f"{NAME}: {label}: {view}: {row.errors} non-2xx or failed requests "
                                        f"({row.error_detail})")  # fmt: skip
                measured.append(row)
        _observe(ctx, measured, server)
        rows += measured
    return rows


# --- the bulk load (in-process, in the benchmark's database) ---------------------------------------

KINDS = [("news", 60), ("announcement", 18), ("press_release", 10), ("event", 9), ("decision", 3)]
SHARES = {"ru": 0.7, "en": 0.15, "uz-cyrl": 0.1}
POOL = 2000  # distinct texts, cycled


def _text_pool(data: dict, rng: random.Random) -> list[dict]:
    """Texts made from the demo's templates and slots, each in uz, ru, en and uz-cyrl, with search keys."""
    from darcha.core.translit import latin_to_cyrillic
    from darcha.demo.publications import _fill, _slots
    from darcha.infoservice.publications.sanitize import clean_html, search_text_of
    from darcha.infoservice.publications.services.editing import _slug_base

    pool = []
    for i in range(POOL):
        template = data["templates"][i % len(data["templates"])]
        slots = _slots(rng, data, rng.randint(1, 12))
        title, lead, body = ([_fill(t, slots) for t in template[part]] for part in ("title", "lead", "body"))
        texts = {
            "uz": (title[0], lead[0], clean_html(body[0])),
            "ru": (title[1], lead[1], clean_html(body[1])),
            "en": (title[2], lead[2], clean_html(body[2])),
        }
        texts["uz-cyrl"] = tuple(latin_to_cyrillic(part) for part in texts["uz"])
        pool.append(
            {
                "slug": _slug_base(title[0])[:100],
                "category": template["category"],
                "tags": template["tags"],
                "texts": {lang: (*parts, search_text_of(*parts)) for lang, parts in texts.items()},
            }
        )
    return pool


def _defaults(model, filled: set[str]) -> dict:
    """Columns the rows do not fill take their model defaults, as the ORM would write them."""
    rest = {}
    for field in model._meta.concrete_fields:
        if field.column in filled:
            continue
        default = field.get_default()
        rest[field.column] = json.dumps(default) if field.get_internal_type() == "JSONField" else default
    return rest


def _step_load(count: int) -> dict:
    import psycopg
    from django.conf import settings
    from django.db import connection

    from darcha.core.models import Organization, User
    from darcha.demo.publications import HOKIMIYATS
    from darcha.demo.reader import load_region
    from darcha.infoservice.publications import selectors_public
    from darcha.infoservice.publications.models import Category, Publication, PublicationText, Tag

    started = time.monotonic()
    data = load_region("namangan")["publications"]
    rng = random.Random(14)  # noqa: S311 — made-up data
    pool = _text_pool(data, rng)
    organizations = {o.code: o.pk for o in Organization.objects.filter(code__in=HOKIMIYATS)}
    press = {u.username: u.pk for u in User.objects.filter(username__in=data["press"].values())}
    authors = {code: press.get(username) or next(iter(press.values())) for code, username in data["press"].items()}
    categories = {c.code: c.pk for c in Category.objects.all()}
    tags = {t.code: t.pk for t in Tag.objects.all()}
    first_id = (Publication.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    first_text = (PublicationText.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    now = dt.datetime.now(dt.UTC)
    span = 4 * 365 * 86400
    moments = sorted(now - dt.timedelta(seconds=rng.randrange(3600, span)) for _ in range(count))
    kind_names, kind_weights = [k for k, _w in KINDS], [w for _k, w in KINDS]
    codes = list(organizations)

    publication_columns = (
        "id organization_id kind status slug category_id author_id reviewed_by_id publish_at published_at "
        "updated_at created_at decision_number decision_date decision_subject embargo"
    ).split()
    publication_rest = _defaults(Publication, set(publication_columns))
    text_columns = (
        "id publication_id language title lead body is_published transliterated search_text updated_at"
    ).split()
    text_rest = _defaults(PublicationText, set(text_columns))
    through = Publication.tags.through._meta.db_table

    url = settings.DATABASES["default"]
    dsn = f"dbname={url['NAME']} user={url['USER']} host={url['HOST']} port={url['PORT']}"
    if url.get("PASSWORD"):
        dsn += f" password={url['PASSWORD']}"
    connection.close()
    texts = links = 0
    copy_started = time.monotonic()
    plan = []
    for i, moment in enumerate(moments):
        spec = pool[i % len(pool)]
        code = codes[i % len(codes)]
        kind = rng.choices(kind_names, weights=kind_weights)[0]
        plan.append((first_id + i, code, kind, spec, moment))
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        columns = [*publication_columns, *publication_rest]
        with cur.copy(f"COPY {Publication._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
            for pk, code, kind, spec, moment in plan:
                decision = kind == "decision"
                copy.write_row(
                    (
                        pk,
                        organizations[code],
                        kind,
                        "published",
                        f"{spec['slug']}-b{pk}",
                        categories.get(spec["category"]),
                        authors[code],
                        authors[code],
                        None,
                        moment,
                        moment,
                        moment,
                        f"{pk % 900 + 1}-Q" if decision else "",
                        moment.date() if decision else None,
                        spec["texts"]["uz"][1] if decision else "",
                        False,
                        *publication_rest.values(),
                    )
                )
        columns = [*text_columns, *text_rest]
        text_id = first_text
        with cur.copy(f"COPY {PublicationText._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
            for pk, _code, _kind, spec, moment in plan:
                languages = ["uz"] + [lang for lang, share in SHARES.items() if rng.random() < share]
                for language in languages:
                    title, lead, body, search = spec["texts"][language]
                    copy.write_row(
                        (text_id, pk, language, title, lead, body, True, False, search, moment, *text_rest.values())
                    )
                    text_id += 1
                    texts += 1
        with cur.copy(f"COPY {through} (publication_id, tag_id) FROM STDIN") as copy:
            for pk, _code, _kind, spec, _moment in plan:
                for name in spec["tags"]:
                    if name in tags:
                        copy.write_row((pk, tags[name]))
                        links += 1
        for model in (Publication, PublicationText):
            table = model._meta.db_table
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608 — model tables
        conn.commit()
    copy_s = time.monotonic() - copy_started
    vacuum_started = time.monotonic()
    with psycopg.connect(dsn, autocommit=True) as conn:
        for model in (Publication, PublicationText):
            conn.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        conn.execute(f"VACUUM ANALYZE {through}")
        conn.execute("CHECKPOINT")
    vacuum_s = time.monotonic() - vacuum_started
    public = selectors_public.public_publications()
    return {
        "publications": count,
        "texts": texts,
        "tags": links,
        "public": public.count(),
        "hokimiyat_public": public.filter(organization__code=HOKIMIYAT).count(),
        "seconds": time.monotonic() - started,
        "copy_s": copy_s,
        "vacuum_s": vacuum_s,
    }


def _main(argv: list[str]) -> None:
    import django

    step, args = argv[0], json.loads(argv[1])
    django.setup()
    if step == "load":
        result = _step_load(args["publications"])
    else:
        raise SystemExit(f"unknown step {step!r}")
    print("BENCH_RESULT " + json.dumps(result, default=str))


if __name__ == "__main__":
    _main(sys.argv[1:])
