"""Shared set-up of the web tests: a store with accounts and tokens, clients signed in per role."""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import date

from fastapi.testclient import TestClient

from cases import accounts
from stod.web.app import create_app
from stod.web.security import Settings

DAY = date(2026, 12, 20)
SCHOOL_A, SCHOOL_B = "48213551", "41177203"
PASSWORDS = {"rektor_a": "rektor-a-losenord", "rektor_b": "rektor-b-losenord", "anna": "anna-losenord-1",
             "erik": "erik-losenord-1"}


def form_application(**changes) -> dict:
    """The web form's fields for a complete application from school A (a grant)."""
    fields = {
        "school.unit_code": SCHOOL_A, "school.name": "Västbergaskolan", "school.district": "Hägersten-Älvsjö",
        "school.organizer": "kommunal", "school.socioeconomic_index": "96",
        "pupil.ref": "EL-292004", "pupil.grade": "7", "period.start_month": "2027-01", "period.end_month": "2027-06",
        "need.description": "Eleven behöver stöd av assistent hela dagen.", "need.diagnoses": "autism, adhd",
        "need.measures": ["assistenthjalp"], "need.extraordinary_hours_per_week": "10",
        "need.share_in_special_group": "0,5", "documents.atgardsprogram.date": "2026-10-06",
        "documents.atgardsprogram.signed_by_rektor": "ja", "documents.utredning.date": "2026-09-16",
        "documents.extra_anpassningar_utvardering.date": "2026-11-05",
        "documents.vardnadshavare_informerade": "ja", "requested_amount_sek": "40000",
    }
    fields.update(changes)
    return fields


@dataclass
class Web:
    store: object
    app: object
    token_all: str
    token_b: str

    def client(self) -> TestClient:
        return TestClient(self.app, follow_redirects=False)

    def login(self, username: str) -> "Browser":
        browser = Browser(self.client())
        browser.login(username, PASSWORDS[username])
        return browser

    def api(self, token: str | None = None) -> TestClient:
        client = self.client()
        client.headers["Authorization"] = f"Bearer {token or self.token_all}"
        return client


class Browser:
    """A TestClient that signs in through the login form and keeps the page's CSRF token."""

    def __init__(self, client: TestClient):
        self.client = client
        self.token = ""

    def get(self, url, **kw):
        response = self.client.get(url, **kw)
        found = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
        if found:
            self.token = found.group(1)
        return response

    def post(self, url, data=None, csrf=True, **kw):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, **kw)

    def login(self, username, password):
        self.get("/logga-in")
        response = self.post("/logga-in", {"username": username, "password": password})
        assert response.status_code == 303, response.text
        self.get(response.headers["location"])
        return response


def make_web(store, settings: Settings | None = None, day: date = DAY) -> Web:
    accounts.add_user(store, "rektor_a", "rektor", PASSWORDS["rektor_a"], [SCHOOL_A], "Rektor Aspelund")
    accounts.add_user(store, "rektor_b", "rektor", PASSWORDS["rektor_b"], [SCHOOL_B], "Rektor Berglund")
    accounts.add_user(store, "anna", "handlaggare", PASSWORDS["anna"], [], "Anna Lindqvist")
    accounts.add_user(store, "erik", "revisor", PASSWORDS["erik"], [], "Erik Berg")
    _, token_all = accounts.add_token(store, "e-tjansten")
    _, token_b = accounts.add_token(store, "skola-b", [SCHOOL_B])
    app = create_app(store=store, settings=settings, today=lambda: day)
    return Web(store, app, token_all, token_b)


def copy_of(value):
    return copy.deepcopy(value)
