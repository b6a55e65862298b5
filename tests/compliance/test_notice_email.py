"""A compliance notice's e-mail names the property by its name, its address and its licence or
permit number, so that a business with several sites knows which one is meant."""

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from cameras.access import Actor
from cameras.models import Site
from compliance import services
from compliance.licences import services as licence_services
from tenants.models import DepartmentPolicy
from tests.factories import DEKALB_AFFIDAVIT, UserFactory, ordinance_make, site_make

pytestmark = pytest.mark.django_db


def _site(owner: Any, department: Any, address: str, **fields: Any) -> Site:
    return site_make(
        owner,
        department,
        kind="business",
        business_name="Palm Gas",
        business_category="gas_station",
        address=address,
        **fields,
    )


def _notice(site: Site, ordinance: Any, capture: Any) -> Any:
    mail.outbox.clear()
    with capture(execute=True):
        services.notice_issue(
            actor=Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True),
            site_public_id=site.public_id,
            ordinance_public_id=ordinance.public_id,
            text="Fix the sign.",
        )
    return mail.outbox[-1]


@pytest.fixture
def ordinance(policy: DepartmentPolicy) -> Any:
    return ordinance_make(policy, DEKALB_AFFIDAVIT, name="DeKalb video surveillance", cure_days=60).ordinance


def test_the_notice_names_the_site_its_address_and_its_permit_number(
    in_rialto: Any, ordinance: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a business with two gas stations of the same name
    owner = UserFactory(role=Role.BUSINESS)
    _site(owner, in_rialto, "150 S Palm Ave", permit_number="BL-2024-7")
    second = _site(owner, in_rialto, "901 W Foothill Blvd", permit_number="BL-2024-9")

    # when the department sends a notice about the second
    message = _notice(second, ordinance, django_capture_on_commit_callbacks)

    # then its subject and text say which one
    assert "Palm Gas, 901 W Foothill Blvd (licence or permit BL-2024-9)" in message.subject
    assert "Palm Gas, 901 W Foothill Blvd (licence or permit BL-2024-9) does not meet" in message.body
    assert "150 S Palm Ave" not in message.body


def test_a_site_without_a_permit_number_is_named_by_the_city_licence_matched_to_it(
    in_rialto: Any, ordinance: Any, django_capture_on_commit_callbacks: Any
) -> None:
    owner = UserFactory(role=Role.BUSINESS)
    site = _site(owner, in_rialto, "1200 W Baseline Rd")
    job = licence_services.licence_import_create(
        actor=UserFactory(role=Role.DEPT_ADMIN),
        upload=SimpleUploadedFile(
            "city.csv",
            b"License No,Business Name,Address\nGL-881,Palm Gas,1200 W Baseline Rd\n",
            content_type="text/csv",
        ),
        source="business_licence",
    )
    with django_capture_on_commit_callbacks(execute=True):
        licence_services.licence_import_map(
            job=job, mapping={"number": 0, "name": 1, "address": 2}, has_header=True, unknown_as_other=False
        )

    message = _notice(site, ordinance, django_capture_on_commit_callbacks)

    assert "Palm Gas, 1200 W Baseline Rd (licence or permit GL-881) does not meet" in message.body


def test_the_notice_names_the_site_in_the_owners_language(
    in_rialto: Any, ordinance: Any, django_capture_on_commit_callbacks: Any
) -> None:
    owner = UserFactory(role=Role.BUSINESS, language="es")
    site = _site(owner, in_rialto, "150 S Palm Ave", permit_number="BL-2024-7")

    message = _notice(site, ordinance, django_capture_on_commit_callbacks)

    assert "Palm Gas, 150 S Palm Ave (licencia o permiso BL-2024-7)" in message.body


def test_a_site_with_no_number_is_named_by_its_name_and_address(
    in_rialto: Any, ordinance: Any, django_capture_on_commit_callbacks: Any
) -> None:
    site = _site(UserFactory(role=Role.BUSINESS), in_rialto, "150 S Palm Ave")

    message = _notice(site, ordinance, django_capture_on_commit_callbacks)

    assert "Palm Gas, 150 S Palm Ave does not meet" in message.body
