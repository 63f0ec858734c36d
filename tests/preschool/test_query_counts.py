"""What the registry costs: the same number of queries with N and with 3N kindergartens, groups, children
in the queue, referrals and cutoffs (tests/querycounts.py). The page cache is off here: a held page costs
no query at all (tests/preschool/test_registry.py)."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from darcha.preschool.choices import AgeGroup, BenefitStatus, EnrollmentStatus, PlacementStatus, Regime
from darcha.preschool.models import Cutoff
from tests.preschool import helpers
from tests.preschool.test_registry import finished_campaign, queued, referral

pytestmark = pytest.mark.django_db

SEVEN = "namangan-mtt-1"
PAGES = {
    "registry.home": "/en/preschool/",
    "registry.list": "/en/preschool/kindergartens/",
    "registry.list_filtered": "/en/preschool/kindergartens/?district=namangan&language=uz&free=1&q=mtt",
    "registry.list_htmx": ("/en/preschool/kindergartens/?age=1-3", {"HTTP_HX_REQUEST": "true"}),
    "registry.kindergarten": f"/en/preschool/kindergartens/{SEVEN}/",
    "api.registry.list": "/api/v1/preschool/kindergartens/?page_size=200",
    "api.registry.list_filtered": "/api/v1/preschool/kindergartens/?free=true&age_group=1-3&q=mtt",
    "api.registry.detail": f"/api/v1/preschool/kindergartens/{SEVEN}/",
}
GROUPS = list(itertools.product(AgeGroup.values, ("uz", "ru"), (Regime.H9, Regime.H10)))


@pytest.fixture
def grow(db):
    """grow(n): n more kindergartens in Namangan, and in each of them and in No. 1 two more groups, each
    with a child attending, one holding a referral, three waiting (one with a confirmed privilege) and the
    last campaign's cutoff."""
    place = helpers.district("namangan")
    helpers.fee_table()
    privilege = helpers.benefit()
    campaign = finished_campaign(place, finished_at=timezone.now() - dt.timedelta(days=10))
    gardens = [helpers.kindergarten(place, 1)]
    made = {"groups": {}}

    def group(garden):
        taken = made["groups"].setdefault(garden.pk, 0)
        made["groups"][garden.pk] = taken + 1
        age_group, language, regime = GROUPS[taken]
        program = helpers.program(garden, age_group, seats=4, language=language, regime=regime)
        referral(queued(program, status=EnrollmentStatus.ENROLLED), program, PlacementStatus.ENROLLED)
        referral(queued(program, status=EnrollmentStatus.OFFERED), program)
        queued(program, privilege=(privilege, BenefitStatus.CONFIRMED))
        queued(program)
        queued(program)
        Cutoff.objects.create(campaign=campaign, program=program, placed=2, tier=0, queue_date=timezone.now())

    def grow(n: int) -> None:
        for _ in range(n):
            gardens.append(helpers.kindergarten(place, len(gardens) + 1))
        for garden in gardens:
            while made["groups"].get(garden.pk, 0) < 2 * n:
                group(garden)

    return grow


def test_the_registry_costs_the_same_with_3n_rows(client, query_counts, subtests, settings, grow):
    settings.PAGE_CACHE_ENABLED = False
    for n in (1, 3):  # N, then 3N
        grow(n)
        for name, page in PAGES.items():
            address, headers = page if isinstance(page, tuple) else (page, {})
            with subtests.test(name, rows=n):
                query_counts.check(name, lambda address=address, headers=headers: client.get(address, **headers))
