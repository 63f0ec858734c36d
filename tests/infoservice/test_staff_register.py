"""Registering a written appeal (with its scan) or an oral one (the hokim's reception, the hotline) on the
staff's form: the acknowledgement with the number, access code and due date after it; bad input a
translated message beside the field and nothing saved; never refused for the author's missing data."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from darcha.core.choices import OrganizationKind, Role
from darcha.infoservice.choices import AppealForm, Channel
from darcha.infoservice.models import Appeal, Attachment
from tests.factories import PDF, PNG, OrganizationFactory
from tests.infoservice.staff_helpers import EN
from tests.infoservice.work_helpers import hokimiyat_tree, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return hokimiyat_tree()


def register_url(tree) -> str:
    return f"{EN}/desk/{tree.hokimiyat.code}/register/"


def form(**fields) -> dict:
    data = {
        "channel": Channel.LETTER,
        "kind": "appeal",
        "type": "application",
        "text": "Mahallamizda ko‘cha chiroqlari ishlamayapti.",
        "author_name": "Yusupova Malika",
        "author_address": "Chust, Guliston ko‘chasi, 3",
        "author_phone": "+998 90 765 43 21",
        "language": "uz",
    }
    data.update(fields)
    return data


def test_a_written_appeal_with_its_scan_then_the_acknowledgement(client, tree):
    client.force_login(tree.officer)
    assert client.get(register_url(tree)).status_code == 200
    data = form(scan=SimpleUploadedFile("xat.pdf", PDF), attachments=[SimpleUploadedFile("rasm.png", PNG)])
    response = client.post(register_url(tree), data)
    assert response.status_code == 303
    appeal = Appeal.objects.get()
    assert appeal.channel == Channel.LETTER and appeal.form == AppealForm.WRITTEN
    assert appeal.registered_by == tree.officer and appeal.author_phone == "+998907654321"
    assert sorted(Attachment.objects.filter(appeal=appeal).values_list("is_scan", flat=True)) == [False, True]
    assert response["Location"].endswith(f"/case/{appeal.number}/acknowledgement/")
    html = client.get(response["Location"]).content.decode()
    assert appeal.number in html and appeal.access_code in html
    assert "data-print" in html
    due = timezone.localtime(appeal.due_at).date()
    assert due.strftime("%Y") in html


def test_an_oral_appeal_at_the_reception_and_by_the_hotline(client, tree):
    client.force_login(tree.hokim)
    for channel in (Channel.RECEPTION, Channel.HOTLINE):
        assert client.post(register_url(tree), form(channel=channel, text=f"Og‘zaki: {channel}")).status_code == 303
    assert sorted(Appeal.objects.values_list("form", flat=True)) == [AppealForm.ORAL, AppealForm.ORAL]


def test_a_collective_appeal_keeps_every_signatory(client, tree):
    client.force_login(tree.officer)
    signers = "Aliyev Bobur; Chust, 4; +998901110000\nQodirova Nigora; Chust, 6;"
    assert client.post(register_url(tree), form(signatories=signers)).status_code == 303
    appeal = Appeal.objects.get()
    assert appeal.is_collective
    assert list(appeal.signatories.values_list("name", flat=True)) == [
        "Yusupova Malika",
        "Aliyev Bobur",
        "Qodirova Nigora",
    ]


def test_an_appeal_without_a_name_is_registered_and_marked_not_to_be_considered(client, tree):
    client.force_login(tree.officer)
    # The acknowledgement is printed in the author's language: English here, to read the msgid.
    response = client.post(register_url(tree), form(author_name="", author_address="", language="en"))
    assert response.status_code == 303
    html = client.get(response["Location"]).content.decode()
    assert "not considered" in html


def test_a_file_that_is_not_a_pdf_or_image_is_refused_and_nothing_saved(client, tree):
    client.force_login(tree.officer)
    fake = SimpleUploadedFile("xat.pdf", b"MZ\x90\x00" + b"\0" * 100, content_type="application/pdf")
    response = client.post(register_url(tree), form(scan=fake))
    assert response.status_code == 400
    assert not Appeal.objects.exists() and not Attachment.objects.exists()
    html = response.content.decode()
    assert 'aria-invalid="true"' in html or "field__errors" in html
    assert "Mahallamizda ko‘cha chiroqlari ishlamayapti." in html  # what was typed is kept


def test_no_text_and_a_bad_phone_are_refused_beside_their_fields(client, tree):
    client.force_login(tree.officer)
    response = client.post(register_url(tree), form(text="", author_phone="12"))
    assert response.status_code == 400
    assert not Appeal.objects.exists()
    html = response.content.decode()
    assert html.count('class="field__errors"') >= 2


def test_an_operator_of_a_center_in_the_district_registers_but_not_of_another(client, tree):
    operator = staff("chust-operator", tree.center, Role.OPERATOR)
    client.force_login(operator)
    response = client.post(register_url(tree), form())
    assert response.status_code == 303
    appeal = Appeal.objects.get()
    assert client.get(response["Location"]).status_code == 200  # the registrar sees the acknowledgement
    assert client.get(f"{EN}/case/{appeal.number}/").status_code == 403  # but not the appeal's work
    far_center = OrganizationFactory(code="pop-center", kind=OrganizationKind.CENTER, parent=tree.far_agency.parent)
    client.force_login(staff("pop-operator", far_center, Role.OPERATOR))
    assert client.post(register_url(tree), form(text="Boshqa")).status_code == 403
    assert client.get(f"{EN}/case/{appeal.number}/acknowledgement/").status_code == 404
    assert Appeal.objects.count() == 1


def test_an_executor_may_not_register_at_the_hokimiyats_desk(client, tree):
    client.force_login(tree.executor)
    assert client.get(register_url(tree)).status_code == 403


def test_an_operators_desk_links_the_registration_at_the_districts_hokimiyat(client, tree):
    operator = staff("desk-operator", tree.center, Role.OPERATOR)
    client.force_login(operator)
    html = client.get("/en/desk/").content.decode()
    assert f'href="{register_url(tree)}"' in html
