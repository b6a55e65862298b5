"""The invitation letter to a covered business that is not registered is mailable: the city's
file gives the business's city, state and ZIP code (mapped like every column, each bad value
named by its line), the department's policy gives the address, telephone and e-mail to reply
to (with history), and the letter prints both; a letter missing either is not printed and
each missing field is named."""

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from accounts.models import Role, User
from cameras.models import BusinessCategory
from compliance.licences.reader import mapping_guess, read_licences
from compliance.licences.selectors import row_error_sentence
from compliance.models import Licence, LicenceInvitation
from tenants.models import Department
from tenants.selectors import policy_current
from tenants.services import policy_update
from tests.conftest import TenantClient
from tests.factories import DEKALB_AFFIDAVIT, ordinance_make

from .test_licence_pages import imported

pytestmark = pytest.mark.django_db

HEADER = "License No,Business Name,Address,License Type,Issue Date,Email,City,State,Zip Code\n"
TEXT = (
    HEADER
    + "PG-1,Joe's Gas,1200 W Baseline Rd,Gas station,2026-05-01,joe@example.org,Rialto,ca,92376\n"
    + "PG-2,Ann's Gas,250 N Riverside Ave,Gas station,,,Rialto,CA,\n"
)
CONTACT = {
    "compliance_mailing_address": "Rialto Police Department, Compliance Unit\n128 N Willow Ave\nRialto, CA 92376",
    "compliance_phone": "(909) 820-2550",
    "compliance_reply_email": "cameras@rialto.example.gov",
}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def admin_client(logged_in_staff: Any) -> tuple[TenantClient, User]:
    return logged_in_staff(Role.DEPT_ADMIN)


def _drawn(pdf: bytes) -> str:
    return "\n".join(t.decode("latin-1") for t in re.findall(rb"\((.*?)\) Tj", pdf, re.S))


def _read(text: str) -> list[Any]:
    stream = io.StringIO(text, newline="")
    mapping = mapping_guess(text.splitlines()[0].split(","))
    return list(read_licences(stream, mapping=mapping, has_header=True, categories=BusinessCategory.values))


def test_city_state_and_zip_columns_are_guessed_and_read() -> None:
    rows = _read(TEXT)

    assert mapping_guess(HEADER.strip().split(","))["postal_code"] == 8
    assert [(r.city, r.state, r.postal_code) for r in rows] == [("Rialto", "CA", "92376"), ("Rialto", "CA", "")]


@pytest.mark.parametrize(
    ("state", "zip_code", "sentence"),
    [
        ("Calif", "92376", "The state 'Calif' is not a state's two-letter postal code (e.g. CA)."),
        ("CA", "2134", "The ZIP code '2134' is not one (5 digits, or ZIP+4 as 92376-1234)"),
        ("CA", "9237X", "The ZIP code '9237X' is not one"),
    ],
)
def test_a_bad_state_or_zip_code_is_a_bad_row_named_by_its_line(state: str, zip_code: str, sentence: str) -> None:
    text = HEADER + f"PG-9,Bad Gas,1 Main St,Gas station,,,Rialto,{state},{zip_code}\n"

    (row,) = _read(text)

    (problem,) = row.problems
    assert (row.line, problem.line) == (2, 2)
    assert row_error_sentence({"problem": problem.problem.value, "params": problem.params}).startswith(sentence)


def test_zip_plus_four_is_kept_as_written_on_an_envelope() -> None:
    (row,) = _read(HEADER + "PG-9,Gas,1 Main St,Gas station,,,Rialto,CA,923761234\n")

    assert row.postal_code == "92376-1234"


def test_the_letter_prints_the_business_s_full_address_and_the_department_s_contact(
    admin_client: Any, django_capture_on_commit_callbacks: Any, in_rialto: Department
) -> None:
    client, _admin = admin_client
    policy_update(department=in_rialto, actor=None, **CONTACT)
    ordinance_make(policy_current(), DEKALB_AFFIDAVIT, name="Gas stations (letter test)")
    imported(client, django_capture_on_commit_callbacks, TEXT, mapping=_mapping())
    joe = Licence.objects.get(number="PG-1")

    letter = client.post("/console/licences/invite/", {"licence": [str(joe.public_id)], "channel": "letter"})

    assert letter["Content-Type"] == "application/pdf"
    drawn = _drawn(letter.content)
    for line in ("Joe's Gas", "1200 W Baseline Rd", "Rialto, CA 92376", "128 N Willow Ave"):
        assert line in drawn
    assert "(909) 820-2550" in drawn.replace("\\(", "(").replace("\\)", ")")
    assert "cameras@rialto.example.gov" in drawn


def test_a_letter_to_a_business_without_a_zip_code_is_not_printed_and_says_which(
    admin_client: Any, django_capture_on_commit_callbacks: Any, in_rialto: Department
) -> None:
    client, _admin = admin_client
    policy_update(department=in_rialto, actor=None, **CONTACT)
    ordinance_make(policy_current(), DEKALB_AFFIDAVIT, name="Gas stations (letter test)")
    imported(client, django_capture_on_commit_callbacks, TEXT, mapping=_mapping())
    chosen = [str(Licence.objects.get(number=n).public_id) for n in ("PG-1", "PG-2")]

    response = client.post("/console/licences/invite/", {"licence": chosen, "channel": "letter"}, follow=True)

    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "PG-2 (Ann&#x27;s Gas): the ZIP code is missing" in page
    assert "PG-1" not in page.split("Nothing was sent")[1].split("</ul>")[0]
    assert LicenceInvitation.objects.count() == 0


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("compliance_phone", "the telephone for businesses is missing"),
        ("compliance_reply_email", "the e-mail address businesses reply to is missing"),
        ("compliance_mailing_address", "the department&#x27;s mailing address is missing"),
    ],
)
def test_a_letter_without_the_department_s_contact_is_not_printed_and_names_the_field(
    admin_client: Any, django_capture_on_commit_callbacks: Any, in_rialto: Department, missing: str, named: str
) -> None:
    client, _admin = admin_client
    policy_update(department=in_rialto, actor=None, **{**CONTACT, missing: ""})
    ordinance_make(policy_current(), DEKALB_AFFIDAVIT, name="Gas stations (letter test)")
    imported(client, django_capture_on_commit_callbacks, TEXT, mapping=_mapping())
    joe = Licence.objects.get(number="PG-1")

    response = client.post(
        "/console/licences/invite/", {"licence": [str(joe.public_id)], "channel": "letter"}, follow=True
    )

    assert named in response.content.decode()
    assert LicenceInvitation.objects.count() == 0


def test_the_invitation_e_mail_gives_the_department_s_telephone_and_replies_go_to_its_address(
    admin_client: Any, django_capture_on_commit_callbacks: Any, in_rialto: Department
) -> None:
    client, _admin = admin_client
    policy_update(department=in_rialto, actor=None, **CONTACT)
    ordinance_make(policy_current(), DEKALB_AFFIDAVIT, name="Gas stations (letter test)")
    imported(client, django_capture_on_commit_callbacks, TEXT, mapping=_mapping())
    joe = Licence.objects.get(number="PG-1")

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/console/licences/invite/", {"licence": [str(joe.public_id)], "channel": "email"})

    (message,) = mail.outbox
    assert message.reply_to == ["cameras@rialto.example.gov"]
    assert "(909) 820-2550" in message.body


def test_the_department_s_contact_is_set_on_the_policy_page_with_history(
    admin_client: Any, in_rialto: Department
) -> None:
    client, _admin = admin_client
    form = client.get("/department/policy/").context["form"]

    bad = client.post("/department/policy/", {**_form_data(form), **CONTACT, "compliance_phone": "call us"})
    saved = client.post("/department/policy/", {**_form_data(form), **CONTACT})

    assert "Enter a telephone number" in bad.content.decode()
    assert saved.status_code == 302, saved.content.decode()[:3000]
    policy = policy_current()
    assert policy.compliance_phone == "(909) 820-2550"
    assert policy.history.filter(compliance_reply_email="cameras@rialto.example.gov").exists()


def _form_data(form: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif value is True:
            data[name] = "on"
        else:
            data[name] = str(value)
    return data


def _mapping() -> dict[str, str]:
    return {
        "number": "0",
        "name": "1",
        "address": "2",
        "category": "3",
        "issued_on": "4",
        "email": "5",
        "city": "6",
        "state": "7",
        "postal_code": "8",
        "has_header": "on",
    }


def test_the_invitation_names_the_ordinance_and_says_only_may_when_it_covers_on_a_condition(
    in_rialto: Department,
) -> None:
    """Review of issue 16: the invitation said "an ordinance ... covers" a business the
    ordinance covers only if built or remodelled after a date the licence does not give, named
    no ordinance, and greeted "To <name>, <street>"."""
    import datetime as dt

    from compliance.licences.notices import DepartmentContact, invitation_text

    ordinance_make(
        policy_current(),
        {**DEKALB_AFFIDAVIT, "business_categories": ["restaurant"], "built_after": dt.date(2024, 1, 1)},
        name="New restaurants",
        citation="Ord. 2024-11",
    )
    licence = Licence(
        number="R-9", name="Casa Lupe Taqueria", address="901 W Foothill Blvd", category="restaurant", city="Rialto"
    )

    text = invitation_text(
        licence=licence,
        register_url="https://rialto.example/register/",
        department_name="Rialto PD",
        contact=DepartmentContact(name="Rialto PD"),
    )

    assert text.startswith("To Casa Lupe Taqueria:\n")
    assert "901 W Foothill Blvd" not in text.split("\n")[0]
    assert "may be covered by New restaurants (Ord. 2024-11)" in text
    assert "built or remodelled on or after 2024-01-01" in text
    assert "an ordinance on security cameras covers" not in text
