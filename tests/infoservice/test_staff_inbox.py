"""The officer's inbox (filters, search in any script, paging, the repeated badge), the executor's inbox
(overdue first), the head's desk and the desk panels."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from darcha.infoservice.choices import AppealStatus, AppealType, Channel, RequestKind
from darcha.infoservice.models import Appeal, Topic
from darcha.infoservice.services import answer_approve, answer_draft, appeal_assign, appeal_rate
from darcha.infoservice.views import staff as staff_views
from tests.infoservice.staff_helpers import EN, assigned, filed, inbox
from tests.infoservice.work_helpers import file_appeal, hokimiyat_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return hokimiyat_tree()


def numbers(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'class="office-number" href="[^"]+">([A-Z0-9-]+)</a>', response.content.decode())


@pytest.fixture
def officer(client, tree):
    client.force_login(tree.officer)
    return client


def test_the_inbox_shows_new_appeals_to_route_the_nearest_term_first(officer, tree):
    later = filed(tree, text="Yangi murojaat: chiroqlar yonmaydi.")
    earlier = file_appeal(tree, timezone.now() - dt.timedelta(days=5), text="Eski murojaat: suv yo‘q.")
    routed = assigned(tree, text="Uchinchi: daraxt qulagan.")
    assert numbers(officer.get(inbox(tree))) == [earlier.number, later.number]
    assert routed.number in numbers(officer.get(inbox(tree, "status=in_work")))
    assert set(numbers(officer.get(inbox(tree, "status=open")))) == {earlier.number, later.number, routed.number}


def test_a_row_shows_the_masked_phone_and_the_working_days_left(officer, tree):
    filed(tree, author_phone="+998901234567")
    html = officer.get(inbox(tree)).content.decode()
    assert "+998…4567" in html and "+998901234567" not in html
    assert "working days left" in html or "working day left" in html


def test_filters_by_type_kind_channel_topic_and_executor(officer, tree):
    roads = Topic.objects.create(code="roads", name_uz="Yo‘llar")
    proposal = filed(tree, type=AppealType.PROPOSAL, text="Taklif: bog‘ quring.")
    media = filed(tree, kind=RequestKind.MEDIA, media_outlet="Namangan TV", text="Intervyu so‘raymiz.")
    hotline = filed(tree, channel=Channel.HOTLINE, topic=roads, text="Qo‘ng‘iroq: yo‘l chuqur.")
    routed = assigned(tree, text="Ijrochi: kanalizatsiya.")
    assert numbers(officer.get(inbox(tree, "type=proposal"))) == [proposal.number]
    assert numbers(officer.get(inbox(tree, "kind=media"))) == [media.number]
    assert numbers(officer.get(inbox(tree, "channel=hotline"))) == [hotline.number]
    assert numbers(officer.get(inbox(tree, f"topic={roads.pk}"))) == [hotline.number]
    assert numbers(officer.get(inbox(tree, f"status=open&executor={tree.department.pk}"))) == [routed.number]


def test_overdue_and_due_this_week(officer, tree):
    overdue = file_appeal(tree, timezone.now() - dt.timedelta(days=40), text="Muddati o‘tgan murojaat.")
    fresh_one = filed(tree, text="Bugungi murojaat.")
    Appeal.objects.filter(pk=fresh_one.pk).update(due_at=timezone.now() + dt.timedelta(minutes=30))
    assert numbers(officer.get(inbox(tree, "status=open&term=overdue"))) == [overdue.number]
    assert numbers(officer.get(inbox(tree, "status=open&term=week"))) == [fresh_one.number]
    html = officer.get(inbox(tree, "status=open&term=overdue")).content.decode()
    assert "Overdue by" in html


def test_repeated_appeals_are_badged_and_filtered(officer, tree):
    first = filed(tree)
    repeat = filed(tree)  # the same author and text
    other = filed(tree, text="Mutlaqo boshqa mavzu: maktab ta’miri.", author_phone="+998935550000")
    html = officer.get(inbox(tree)).content.decode()
    assert "repeated text" in html
    assert numbers(officer.get(inbox(tree, "similar=1"))) == [repeat.number]
    assert other.number not in numbers(officer.get(inbox(tree, "similar=1")))
    page_html = officer.get(f"{EN}/case/{repeat.number}/").content.decode()
    assert f"appeal {first.number}" in page_html and f"/case/{first.number}/" in page_html


def test_search_by_number_author_phone_and_text_in_either_script(officer, tree):
    latin = filed(tree, author_name="Karimov Aziz", text="Ko‘chada chiroq yonmaydi.", author_phone="+998907770011")
    cyrillic = filed(tree, author_name="Олимова Дилноза", text="Ичимлик суви йўқ.", author_phone="+998935550022")
    assert numbers(officer.get(inbox(tree, f"q={latin.number}"))) == [latin.number]
    assert numbers(officer.get(inbox(tree, "q=Каримов"))) == [latin.number]
    assert numbers(officer.get(inbox(tree, "q=olimova"))) == [cyrillic.number]
    assert numbers(officer.get(inbox(tree, "q=чироқ"))) == [latin.number]
    assert numbers(officer.get(inbox(tree, "q=ichimlik suvi"))) == [cyrillic.number]
    assert numbers(officer.get(inbox(tree, "q=5550022"))) == [cyrillic.number]
    assert numbers(officer.get(inbox(tree, "q=yo‘q%20emas%20xyz"))) == []


def test_unknown_filter_values_fall_back_and_never_fail(officer, tree):
    filed(tree)
    for query in ("status=nonsense", "topic=abc", "executor=99999999999999", "type=x&kind=y&channel=z", "page=abc"):
        assert officer.get(inbox(tree, query)).status_code == 200


def test_paging_keeps_the_filters(officer, tree, monkeypatch):
    monkeypatch.setattr(staff_views, "PAGE_SIZE", 2)
    for n in range(5):
        filed(tree, type=AppealType.COMPLAINT, text=f"Shikoyat raqam {n}: har xil matn {n * 7}.")
    filed(tree, text="Ariza, shikoyat emas.")
    first = officer.get(inbox(tree, "type=complaint"))
    assert len(numbers(first)) == 2
    assert "type=complaint&amp;page=2" in first.content.decode()
    third = officer.get(inbox(tree, "type=complaint&page=3"))
    assert len(numbers(third)) == 1


def test_the_executors_inbox_lists_its_assignments_overdue_first(client, tree):
    overdue = file_appeal(tree, timezone.now() - dt.timedelta(days=40), text="Eski, muddati o‘tgan.")
    appeal_assign(actor=tree.officer, appeal=overdue, executor=tree.department)
    recent = assigned(tree, text="Yangi topshiriq.")
    elsewhere = filed(tree, text="Boshqa bo‘limga.")
    appeal_assign(actor=tree.officer, appeal=elsewhere, executor=tree.other_department)
    co = filed(tree, text="Hamkor ijrochi sifatida.")
    appeal_assign(actor=tree.officer, appeal=co, executor=tree.other_department, co_executors=[tree.department])
    client.force_login(tree.executor)
    response = client.get(f"{EN}/work/{tree.department.code}/")
    listed = numbers(response)
    assert listed[0] == overdue.number
    assert set(listed) == {overdue.number, recent.number, co.number}
    assert "as co-executor" in response.content.decode()


def test_the_heads_desk_shows_drafts_flags_overdue_and_resolutions(client, tree):
    waiting = assigned(tree, text="Tasdiq kutmoqda.")
    answer_draft(actor=tree.executor, appeal=waiting, outcome="explained", text="Tushuntirildi.")
    unhappy = assigned(tree, text="Norozi muallif.")
    answer = answer_draft(actor=tree.executor, appeal=unhappy, outcome="refused", text="Rad: asos yo‘q.")
    answer_approve(actor=tree.hokim, answer=answer)
    appeal_rate(actor=tree.officer, appeal=unhappy, satisfaction="not_satisfied", note="Javob yuzaki.")
    late = file_appeal(tree, timezone.now() - dt.timedelta(days=40), text="Kechikkan murojaat.")
    client.force_login(tree.hokim)
    html = client.get(f"{EN}/desk/{tree.hokimiyat.code}/head/").content.decode()
    for number in (waiting.number, unhappy.number, late.number):
        assert number in html
    assert "Javob yuzaki." in html


def test_the_desk_panels_of_the_three_roles(client, tree):
    filed(tree)
    assigned(tree, text="Ijroda.")
    for user, link in (
        (tree.officer, f"{EN}/desk/{tree.hokimiyat.code}/"),
        (tree.hokim, f"{EN}/desk/{tree.hokimiyat.code}/head/"),
        (tree.executor, f"{EN}/work/{tree.department.code}/"),
    ):
        client.force_login(user)
        response = client.get("/en/desk/")
        assert response.status_code == 200
        assert f'href="{link}"' in response.content.decode()


def test_an_appeal_closed_is_listed_under_closed(officer, tree):
    appeal = filed(tree)
    officer.post(f"{EN}/case/{appeal.number}/return/", {"reasons": "Manzil yo‘q."})
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.CLOSED
    assert numbers(officer.get(inbox(tree))) == []
    assert numbers(officer.get(inbox(tree, "status=closed"))) == [appeal.number]
