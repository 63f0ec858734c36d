"""The district preschool department's desk: who may open it (the district's officers; a director, an
officer of another district 403), every kindergarten with seats, held, free, queue and privileged queue,
seat changes (refused below held, bad input 400), the campaign's settings (1–5 choices), the run queued as
a background task with the progress fragment polled by htmx until it is done, the report (placed, waiting,
by category, by age group, the seed), and what the desk costs (query_counts.json, "desk.department")."""

from __future__ import annotations

import pytest
from django.utils import timezone

from darcha.preschool import ages
from darcha.preschool import services as preschool
from darcha.preschool.choices import AgeGroup, CampaignKind, CampaignStatus, PlacementStatus
from darcha.preschool.models import ApplicationBenefit, Campaign, Placement, Program
from darcha.preschool.selectors import district_kindergartens
from darcha.preschool.services.intake import BenefitClaim
from tests.preschool import helpers
from tests.preschool.test_kindergarten_desk import CODE, born_aged, register, run_campaign, text

pytestmark = pytest.mark.django_db

EN = "/en"
HTMX = {"HTTP_HX_REQUEST": "true"}


def desk_url(place, tail: str = "") -> str:
    return f"{EN}/preschool/desk/district/{place.code}/{tail}"


@pytest.fixture
def city():
    return helpers.district("dept-city")


@pytest.fixture
def gardens(city):
    first, second = helpers.kindergarten(city, 12), helpers.kindergarten(city, 7)
    return first, second


@pytest.fixture
def groups(gardens):
    first, second = gardens
    return helpers.program(first, AgeGroup.G3, seats=2), helpers.program(second, AgeGroup.G3, seats=1)


@pytest.fixture
def officer(city):
    return helpers.officer(city, "dept.officer")


@pytest.fixture
def privilege():
    return helpers.benefit("large-family")


def privileged(place, choices, privilege, **fields):
    """A child whose privilege the district's department has confirmed (benefit_decide)."""
    claim = BenefitClaim(benefit=privilege, evidence_reference="Ma'lumotnoma No 12")
    application = register(place, choices, benefits=[claim], **fields)
    checker = helpers.officer(place, f"checker-{place.code}")
    for claimed in ApplicationBenefit.objects.filter(application=application):
        preschool.benefit_decide(actor=checker, claim=claimed, confirm=True)
    return application


@pytest.fixture
def queue(city, groups, privilege):
    """Four children for the two groups (3 seats): one with a confirmed privilege."""
    first, second = groups
    return [
        register(city, [first, second]),
        privileged(city, [first], privilege),
        register(city, [first, second]),
        register(city, [second, first]),
    ]


# --- access -------------------------------------------------------------------------------------
def test_anonymous_visitors_go_to_the_login_page(client, city):
    response = client.get(desk_url(city))
    assert response.status_code == 302 and response["Location"].startswith(f"{EN}/login/?next=")
    # The progress bar's poll after the session ended sends the whole page to log in.
    response = client.get(desk_url(city, "campaigns/1/progress/"), **HTMX)
    assert response.status_code == 401 and response["HX-Redirect"].startswith(f"{EN}/login/")


def test_only_the_districts_officers_open_it(client, city, gardens, groups, officer):
    client.force_login(officer)
    assert client.get(desk_url(city)).status_code == 200
    director = helpers.director(gardens[0], "dept.director")
    far = helpers.district("far-dept-city")
    far_officer = helpers.officer(far, "far.dept.officer")
    campaign = preschool.campaign_create(actor=officer, district=city, school_year=2030)
    for user in (director, far_officer):
        client.force_login(user)
        assert client.get(desk_url(city)).status_code == 403
        assert client.get(desk_url(city, f"seats/{gardens[0].organization.code}/")).status_code == 403
        response = client.post(desk_url(city, "campaigns/new/"), {"school_year": 2031, "max_choices": 3})
        assert response.status_code == 403
        assert client.post(desk_url(city, f"campaigns/{campaign.pk}/start/")).status_code == 403
        assert client.get(desk_url(city, f"campaigns/{campaign.pk}/progress/"), **HTMX).status_code == 403
    assert Campaign.objects.filter(district=city).count() == 1
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    # The far officer's own district does not hold this one's kindergartens or campaigns.
    client.force_login(far_officer)
    assert client.get(desk_url(far, f"seats/{gardens[0].organization.code}/")).status_code == 404
    assert client.get(desk_url(far, f"campaigns/{campaign.pk}/")).status_code == 404


# --- the kindergartens --------------------------------------------------------------------------
def test_every_kindergarten_with_seats_held_free_and_queues(client, city, gardens, groups, officer, queue, monkeypatch):
    run_campaign(city, officer, monkeypatch)
    figures = {row.kindergarten.pk: row for row in district_kindergartens(city)}
    first, second = (figures[g.pk] for g in gardens)
    # The privileged child and the first in the queue hold the two seats of the first group; the third
    # child got the second group's seat and waits for the first; the fourth waits for both.
    assert (first.seats, first.held, first.free, first.queue, first.privileged) == (2, 2, 0, 2, 0)
    assert (second.seats, second.held, second.free, second.queue, second.privileged) == (1, 1, 0, 1, 0)
    client.force_login(officer)
    page = text(client.get(desk_url(city)))
    for garden in gardens:
        assert garden.name in page
        assert f"/preschool/desk/kindergarten/{garden.organization.code}/" in page


def test_the_privileged_queue_counts_confirmed_privileges(city, gardens, groups, privilege):
    first, second = groups
    privileged(city, [first, second], privilege)
    register(city, [first])
    figures = {row.kindergarten.pk: row for row in district_kindergartens(city)}
    assert (figures[gardens[0].pk].queue, figures[gardens[0].pk].privileged) == (2, 1)
    assert (figures[gardens[1].pk].queue, figures[gardens[1].pk].privileged) == (1, 1)


# --- seats --------------------------------------------------------------------------------------
def test_seats_change_and_are_refused_below_those_held(client, city, gardens, groups, officer, queue, monkeypatch):
    run_campaign(city, officer, monkeypatch)
    first = groups[0]
    client.force_login(officer)
    address = desk_url(city, f"seats/{gardens[0].organization.code}/")
    assert "Seats per group" in text(client.get(address))

    response = client.post(address, {"program": first.pk, "seats": "1"})
    assert response.status_code == 409
    assert "cannot have fewer seats than that" in text(response)
    first.refresh_from_db()
    assert first.seats == 2

    response = client.post(address, {"program": first.pk, "seats": "many"})
    assert response.status_code == 400 and "whole number" in text(response)

    response = client.post(address, {"program": first.pk, "seats": "5"})
    assert response.status_code == 303 and response["Location"] == address
    first.refresh_from_db()
    assert first.seats == 5
    assert "now has 5 seats" in text(client.get(address))

    # A group of another kindergarten is not changed through this one's page.
    response = client.post(address, {"program": groups[1].pk, "seats": "9"})
    assert response.status_code == 404
    assert Program.objects.get(pk=groups[1].pk).seats == 1


# --- the campaign -------------------------------------------------------------------------------
def test_campaign_settings_are_checked_and_a_campaign_is_prepared(client, city, officer):
    client.force_login(officer)
    response = client.post(
        desk_url(city, "campaigns/new/"), {"school_year": "2031", "max_choices": "6", "district_only": "on"}
    )
    assert response.status_code == 400
    assert "A family may rank from 1 to 5 kindergartens" in text(response)
    response = client.post(desk_url(city, "campaigns/new/"), {"school_year": "", "max_choices": "3"})
    assert response.status_code == 400
    assert not Campaign.objects.exists()

    response = client.post(
        desk_url(city, "campaigns/new/"), {"school_year": "2031", "reference_date": "2031-09-01", "max_choices": "2"}
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 303 and response["Location"] == desk_url(city, f"campaigns/{campaign.pk}/")
    assert (campaign.school_year, campaign.max_choices, campaign.district_only) == (2031, 2, False)
    assert campaign.reference_date.isoformat() == "2031-09-01" and campaign.kind == CampaignKind.MAIN
    page = text(client.get(response["Location"]))
    assert "2031/32" in page and "Run the campaign" in page


def test_the_run_is_queued_the_bar_polls_and_the_page_reloads_when_done(
    client, city, groups, officer, queue, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from darcha.preschool import tasks

    monkeypatch.setattr("darcha.preschool.services.campaigns.new_referral_code", lambda: CODE)
    campaign = preschool.campaign_create(actor=officer, district=city, school_year=ages.school_year_for(timezone.now()))
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(desk_url(city, f"campaigns/{campaign.pk}/start/"))
    assert response.status_code == 303
    # The run is a background task, queued for the worker, not run by the page.
    (queued,) = DBTaskResult.objects.filter(task_path="darcha.preschool.tasks.run_campaign")
    assert queued.args_kwargs["args"] == [campaign.pk, officer.pk]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING

    page = text(client.get(desk_url(city, f"campaigns/{campaign.pk}/")))
    progress = desk_url(city, f"campaigns/{campaign.pk}/progress/")
    assert f'hx-get="{progress}"' in page and 'hx-trigger="every 1s"' in page and "<progress" in page
    assert "<script>" not in page  # the bar is htmx's attributes and a stylesheet, nothing inline

    Campaign.objects.filter(pk=campaign.pk).update(progress=40)
    fragment = client.get(progress, **HTMX)
    body = text(fragment)
    assert fragment.status_code == 200 and "HX-Refresh" not in fragment
    assert 'value="40"' in body and "40 %" in body and f'hx-get="{progress}"' in body
    assert "<html" not in body  # a fragment, not the page

    # Starting it twice is refused while it runs.
    response = client.post(desk_url(city, f"campaigns/{campaign.pk}/start/"))
    assert response.status_code == 409 and "Only a campaign in preparation can be run" in text(response)

    tasks.run_campaign.call(campaign.pk, officer.pk)  # what the worker does
    fragment = client.get(progress, **HTMX)
    assert fragment["HX-Refresh"] == "true"
    assert "hx-get" not in text(fragment) and "The campaign is done" in text(fragment)


def test_the_report_placed_waiting_by_category_and_age_group_and_the_seed(
    client, city, groups, officer, queue, monkeypatch
):
    campaign = run_campaign(city, officer, monkeypatch)
    assert campaign.status == CampaignStatus.DONE
    client.force_login(officer)
    page = text(client.get(desk_url(city, f"campaigns/{campaign.pk}/")))
    report = page[page.index('id="campaign-report"') :]
    placed = Placement.objects.filter(campaign=campaign, status=PlacementStatus.OFFERED).count()
    assert placed == 3 and campaign.report["placed"] == 3 and campaign.report["waiting"] == 1
    assert '<span class="stat__value">3</span><span class="stat__label">referrals issued' in report
    assert '<span class="stat__value">1</span><span class="stat__label">still waiting' in report
    assert "Imtiyoz large-family" in report and "General list" in report  # by category, by name
    assert "3–4 years" in report  # by age group
    assert campaign.seed and campaign.seed in report and "draw_lottery" in report
    assert "Run the campaign" not in page

    # The department's desk lists it with what it did.
    desk = text(client.get(desk_url(city)))
    assert f"/campaigns/{campaign.pk}/" in desk and "3 placed" in desk


def test_past_campaigns_and_continuous_runs_are_listed(client, city, groups, officer, queue, monkeypatch):
    main = run_campaign(city, officer, monkeypatch)
    offered = Placement.objects.filter(campaign=main, status=PlacementStatus.OFFERED).first()
    preschool.placement_decline(actor=officer, placement=offered)
    continuous = preschool.allocation_continuous(district=city)
    client.force_login(officer)
    page = text(client.get(desk_url(city)))
    assert f"/campaigns/{main.pk}/" in page
    if continuous is not None:
        assert continuous.kind == CampaignKind.CONTINUOUS
        section = page[page.index("Continuous allocation") :]
        assert f"/campaigns/{continuous.pk}/" in section


def test_the_officers_desk_panel(client, city, officer):
    client.force_login(officer)
    page = text(client.get(f"{EN}/desk/"))
    assert "Open the department" in page and desk_url(city) in page


# --- what the desk costs ------------------------------------------------------------------------
def test_the_desk_does_not_grow_with_kindergartens_or_children(
    client, city, officer, privilege, query_counts, monkeypatch
):
    monkeypatch.setattr("darcha.preschool.services.campaigns.new_referral_code", lambda: CODE)
    made = []

    def grow(n: int) -> None:
        for _ in range(n):
            garden = helpers.kindergarten(city, 100 + len(made))
            group = helpers.program(garden, AgeGroup.G3, seats=1)
            older = helpers.program(garden, AgeGroup.G4, seats=1)
            made.append((garden, group))
            register(city, [group])
            privileged(city, [group, made[0][1]] if len(made) > 1 else [group], privilege)
            register(city, [older], birth_date=born_aged(4))
        campaign = preschool.campaign_create(
            actor=officer, district=city, school_year=ages.school_year_for(timezone.now())
        )
        preschool.campaign_run(actor=officer, campaign=campaign)

    client.force_login(officer)
    grow(2)
    query_counts.check("desk.department", lambda: client.get(desk_url(city)))
    query_counts.check("desk.department_panel", lambda: client.get(f"{EN}/desk/"))
    query_counts.check(
        "desk.department_seats", lambda: client.get(desk_url(city, f"seats/{made[0][0].organization.code}/"))
    )
    grow(4)
    query_counts.check("desk.department", lambda: client.get(desk_url(city)))
    query_counts.check("desk.department_panel", lambda: client.get(f"{EN}/desk/"))
    query_counts.check(
        "desk.department_seats", lambda: client.get(desk_url(city, f"seats/{made[0][0].organization.code}/"))
    )


# --- no inline code -----------------------------------------------------------------------------
def test_the_pages_have_no_inline_code(client, city, gardens, groups, officer, queue, monkeypatch):
    from tests.core.test_security_headers import check

    done = run_campaign(city, officer, monkeypatch)
    running = preschool.campaign_create(actor=officer, district=city, school_year=2031)
    Campaign.objects.filter(pk=running.pk).update(status=CampaignStatus.RUNNING, progress=30)
    client.force_login(officer)
    pages = {
        "department desk": desk_url(city),
        "seats": desk_url(city, f"seats/{gardens[0].organization.code}/"),
        "campaign report": desk_url(city, f"campaigns/{done.pk}/"),
        "campaign running": desk_url(city, f"campaigns/{running.pk}/"),
        "progress fragment": desk_url(city, f"campaigns/{running.pk}/progress/"),
        "officer's desk panel": f"{EN}/desk/",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        check(response, name)
    check(client.post(desk_url(city, "campaigns/new/"), {"school_year": "2031", "max_choices": "9"}), "refused")
