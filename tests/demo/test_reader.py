"""The demo data files: what the loader reads from darcha/demo/data/namangan/*.toml, and how a folder is merged."""

import datetime as dt
import re

import pytest

from darcha.demo.appeals import department_specs
from darcha.demo.reader import DemoDataError, load_folder, load_region

DATA = load_region("namangan")


def test_the_loader_input_has_every_part():
    counts = {key: len(value) for key, value in DATA.items() if not isinstance(value, str)}
    assert counts == {
        "applicants": 3,
        "applications": 6,
        "categories": 11,
        "counters": 9,
        "discounts": 1,
        "documents": 18,
        "kindergartens": 44,
        "opening_hours": 6,
        "organizations": 30,
        "output_fields": 15,
        "preschool": 7,
        "services": 48,
        "step_kinds": 8,
        "users": 21,
        "appeals": 31,
        "media_outlets": 6,
        "media_journalists": 7,
        "press_events": 13,
        "publications": 14,
        "surveys": 2,
    }
    assert DATA["center"] == "namangan-city-center"
    assert DATA["password"] == "darcha-demo"


def test_texts_times_and_compact_shapes():
    region = DATA["organizations"][0]
    assert region["name"] == ("Namangan viloyati", "Наманганская область", "Namangan Region")
    assert "parent" not in region, "no null in TOML: the region's parent is left out"
    assert DATA["opening_hours"][0] == (0, dt.time(9), dt.time(18))
    assert DATA["counters"][3] == (4, ["construction", "land"], ["cadastre-passport"])
    assert DATA["counters"][0] == (1, ["civil-registry"], [])
    birth = next(s for s in DATA["services"] if s["code"] == "birth-registration")
    assert birth["fee"] == ("free", 0)
    assert birth["steps"] == [("register", "namangan-fhdyo", 1)]
    assert birth["documents"][1][0] == "passport" and birth["documents"][1][1]["name"][0].startswith("Ota-onaning")
    assert birth["documents"][2] == ("marriage-certificate", {"mandatory": False})
    assert birth["result_fields"] == ["record-number", "document-number"]
    use = DATA["output_fields"]["property-use"]
    assert use["label"] == ("Foydalanish maqsadi", "Назначение", "Use") and use["kind"] == "choice"
    assert use["options"] == (["Turar joy", "Noturar joy"], ["Жилое", "Нежилое"], ["Residential", "Non-residential"])
    passport = next(s for s in DATA["services"] if s["code"] == "cadastre-passport")
    assert passport["fee"] == ("brv_multiple", "0.5")
    stages = [stage for s in DATA["services"] for stage in s["steps"] if isinstance(stage, list)]
    assert len(stages) == 8 and all(isinstance(step, tuple) for stage in stages for step in stage)


def test_every_reference_resolves():
    orgs = {o["code"]: o for o in DATA["organizations"]}
    categories = {c["code"] for c in DATA["categories"]} | {DATA["preschool"]["desk"]["category"]}
    services = {s["code"] for s in DATA["services"]}
    seen: set[str] = set()
    for org in DATA["organizations"]:
        assert org.get("parent") is None or org["parent"] in seen, f"{org['code']}: parents come first"
        seen.add(org["code"])
    for service in DATA["services"]:
        assert service["category"] in categories and service["agency"] in orgs
        assert set(service.get("discounts", [])) <= {d["code"] for d in DATA["discounts"]}
        for item in service["documents"]:
            key = item if isinstance(item, str) else item[0] if isinstance(item, tuple) else None
            assert key is None or key in DATA["documents"], (service["code"], key)
        for stage in service["steps"]:
            for step in stage if isinstance(stage, list) else [stage]:
                kind, agency = (step["kind"], step["agency"]) if isinstance(step, dict) else step[:2]
                assert kind in DATA["step_kinds"] and orgs[agency]["kind"] == "agency", (service["code"], step)
    for _number, counter_categories, counter_services in DATA["counters"]:
        assert set(counter_categories) <= categories and set(counter_services) <= services
    preschool = [*DATA["preschool"]["departments"], *DATA["kindergartens"]]
    assert {o["place"] for o in preschool} <= {code for code, o in orgs.items() if o["kind"] in {"city", "district"}}
    assert orgs[DATA["preschool"]["desk"]["agency"]]["kind"] == "agency"
    usernames = {u["username"] for u in DATA["users"]}
    # Appeals' departments and partners are made by its stage (darcha/demo/appeals.py) from their TOML.
    appeals = {d["code"] for d in department_specs(DATA["appeals"])} | {p["code"] for p in DATA["appeals"]["partners"]}
    assert {u["organization"] for u in DATA["users"]} <= set(orgs) | {o["code"] for o in preschool} | appeals
    for application in DATA["applications"]:
        assert application["service"] in services and application["by"] in usernames
        assert 1 <= application["applicant"] <= len(DATA["applicants"])
        assert {act["by"] for act in application.get("acts", [])} <= usernames


def test_every_toml_of_the_folder_is_merged(tmp_path):
    (tmp_path / "a.toml").write_text('center = "c"\n[[users]]\nusername = "u"\n')
    (tmp_path / "b.toml").write_text('[[kindergartens]]\ncode = "k"\nname = { uz = "Bogʻcha", ru = "Сад", en = "K" }\n')
    (tmp_path / "notes.txt").write_text("not data")
    assert load_folder(tmp_path) == {
        "center": "c",
        "users": [{"username": "u"}],
        "kindergartens": [{"code": "k", "name": ("Bogʻcha", "Сад", "K")}],
    }


def test_a_key_defined_in_two_files_is_refused(tmp_path):
    (tmp_path / "organizations.toml").write_text('[[organizations]]\ncode = "a"\n')
    (tmp_path / "kindergartens.toml").write_text('[[organizations]]\ncode = "b"\n')
    with pytest.raises(
        DemoDataError, match=re.escape("'organizations' is defined in both kindergartens.toml and organizations.toml")
    ):
        load_folder(tmp_path)


def test_a_text_needs_every_language(tmp_path):
    (tmp_path / "catalog.toml").write_text('[[categories]]\ncode = "a"\nname.uz = "Yer"\nname.ru = "Земля"\n')
    with pytest.raises(
        DemoDataError, match=re.escape("catalog.toml: categories[0].name: a text needs uz, ru, en; missing en")
    ):
        load_folder(tmp_path)


def test_bad_toml_names_the_file(tmp_path):
    (tmp_path / "users.toml").write_text("password = \n")
    with pytest.raises(DemoDataError, match="users.toml"):
        load_folder(tmp_path)
    with pytest.raises(DemoDataError, match="no demo data files"):
        load_folder(tmp_path / "missing")
