"""An edit in the admin reaches the public pages another server process holds, within a second.

Real processes on the test database (on SQLite, a file copy of it): a gunicorn server with one sync
worker serves the public service page; another process edits the service through the admin's change
form (Django's test client, logged in as a superuser, posting what the form holds with a new name).
"""

import time

import pytest
from django.conf import settings

from tests.core.helpers import WsgiServer, http_get, process_env, run_python, shared_database_url
from tests.factories import ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

VERSION_SECONDS = settings.PAGE_CACHE_VERSION_SECONDS  # each process reads the versions this often
SLACK = 1.0  # seconds a request may take on a busy machine

ADMIN_EDIT = """
import sys, time, django
django.setup()
from django.test import Client
from darcha.core.models import User
from tests.core.helpers import form_values

username, service_id, name = sys.argv[1:4]
client = Client()
client.force_login(User.objects.get(username=username))
url = f"/admin/catalog/service/{service_id}/change/"
page = client.get(url)
assert page.status_code == 200, page.status_code
data = {}
for field, value in form_values(page.content.decode(), "service_form"):
    data.setdefault(field, []).append(value)
data["name_uz"] = [name]
data["_save"] = ["Save"]
answer = client.post(url, data)
assert answer.status_code == 302, answer.content.decode()[-3000:]
print(time.time())
"""

BEHIND_THE_CACHE = """
import sys, django
django.setup()
from darcha.catalog.models import Service
Service.objects.filter(pk=sys.argv[1]).update(name_uz=sys.argv[2])
"""


def name_on(server: WsgiServer, path: str, *names: str) -> str | None:
    status, html = http_get(server.url(path))
    assert status == 200, html[-2000:]
    return next((name for name in names if name in html), None)


def test_an_admin_edit_reaches_another_process(tmp_path):
    service = ServiceFactory.with_parallel_procedure(name_uz="Qurilishga ruxsatnoma")
    UserFactory(username="catalog-admin", is_staff=True, is_superuser=True)
    env = process_env(shared_database_url(tmp_path))
    page = f"/services/{service.code}/"
    names = ("Qurilishga ruxsatnoma", "Changed behind the cache", "Changed in the admin")

    with WsgiServer(env, tmp_path / "server.log") as public:
        for _ in range(2):  # rendered; then, the versions read, rendered and held
            assert name_on(public, page, *names) == names[0]
        # A change no service function made gives the content no new version: the held page stays.
        run_python(BEHIND_THE_CACHE, str(service.pk), names[1], env=env)
        deadline = time.time() + VERSION_SECONDS + SLACK
        while time.time() < deadline:
            assert name_on(public, page, *names) == names[0]
            time.sleep(0.1)

        saved_at = float(run_python(ADMIN_EDIT, "catalog-admin", str(service.pk), names[2], env=env).split()[-1])
        while (seen := name_on(public, page, *names)) != names[2] and time.time() < saved_at + 10:
            time.sleep(0.05)
    # No timing assertion (a loaded machine may take longer to answer): that a process reads the versions
    # at most VERSION_SECONDS apart is tested with a moved clock in test_pagecache.py.
    assert seen == names[2], f"the edit did not reach the other process: it shows {seen!r}"
