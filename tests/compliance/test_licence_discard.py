"""Discarding a licence upload left waiting for its column mapping: a confirm step, then the
stored file and the job are gone; a started import cannot be; other roles and another
department's job are 404 and logged."""

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from audit.models import AccessEvent, Action
from compliance.licences import services
from compliance.models import ImportStatus, LicenceImportJob
from tenants.models import Department
from tests.conftest import TenantClient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TEXT = "License No,Business Name,Address\nPG-1,Joe's Gas,1200 W Baseline Rd\n"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def admin_client(logged_in_staff: Any) -> tuple[TenantClient, User]:
    return logged_in_staff(Role.DEPT_ADMIN)


def _job() -> LicenceImportJob:
    upload = SimpleUploadedFile("city.csv", TEXT.encode(), content_type="text/csv")
    return services.licence_import_create(
        actor=UserFactory(role=Role.DEPT_ADMIN), upload=upload, source="business_licence"
    )


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_an_upload_waiting_for_its_mapping_is_discarded_after_confirming(
    admin_client: Any, media: Path, in_rialto: Department
) -> None:
    client, _ = admin_client
    job = _job()
    url = f"/console/licences/imports/{job.public_id}/discard/"

    job_page = client.get(f"/console/licences/imports/{job.public_id}/").content.decode()
    asked = client.get(url)
    kept_after_asking = LicenceImportJob.objects.filter(pk=job.pk).exists()
    unconfirmed = client.post(url)
    done = client.post(url, {"confirm": "yes"}, follow=True)

    assert f'href="{url}"' in job_page
    assert asked.status_code == unconfirmed.status_code == 200
    assert 'name="confirm" value="yes"' in asked.content.decode()
    assert kept_after_asking
    assert done.redirect_chain == [("/console/licences/", 302)]
    assert "city.csv was discarded." in done.content.decode()
    assert not LicenceImportJob.objects.filter(pk=job.pk).exists()
    assert _files(media) == []


@pytest.mark.parametrize("status", [ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.DONE])
def test_an_import_that_has_started_is_not_discarded(
    admin_client: Any, media: Path, in_rialto: Department, status: str
) -> None:
    client, _ = admin_client
    job = _job()
    LicenceImportJob.objects.filter(pk=job.pk).update(status=status)

    response = client.post(f"/console/licences/imports/{job.public_id}/discard/", {"confirm": "yes"}, follow=True)

    assert "Only an upload still waiting for its column mapping can be discarded." in response.content.decode()
    assert LicenceImportJob.objects.get(pk=job.pk).status == status
    assert len(_files(media)) == 1


def test_the_confirm_page_speaks_spanish(admin_client: Any, in_rialto: Department) -> None:
    client, _ = admin_client
    job = _job()

    page = client.get(f"/console/licences/imports/{job.public_id}/discard/", HTTP_ACCEPT_LANGUAGE="es")

    assert "¿Descartar city.csv?" in page.content.decode()


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR])
def test_other_roles_get_404_and_are_logged(logged_in_staff: Any, in_rialto: Department, role: str) -> None:
    job = _job()
    client, user = logged_in_staff(role)

    response = client.post(f"/console/licences/imports/{job.public_id}/discard/", {"confirm": "yes"})

    assert response.status_code == 404
    assert LicenceImportJob.objects.filter(pk=job.pk).exists()
    assert AccessEvent.objects.filter(actor_id=user.pk, action=Action.CONSOLE_DENIED).count() == 1


def test_another_department_s_or_a_missing_job_is_404_logged_and_kept(
    admin_client: Any, media: Path, fontana: Department, in_rialto: Department
) -> None:
    client, admin = admin_client
    with tenant_context(fontana):
        fontana_job = _job()
    paths = [
        f"/console/licences/imports/{fontana_job.public_id}/discard/",
        f"/console/licences/imports/{uuid.uuid4()}/discard/",
    ]

    statuses = [client.post(paths[0], {"confirm": "yes"}).status_code, client.get(paths[1]).status_code]

    denials = AccessEvent.objects.filter(action=Action.CONSOLE_DENIED, actor_id=admin.pk).order_by("seq")
    assert statuses == [404, 404]
    assert [(e.reason, e.details["path"]) for e in denials] == [("not_found", paths[0]), ("not_found", paths[1])]
    with tenant_context(fontana):
        assert LicenceImportJob.objects.filter(pk=fontana_job.pk).exists()
    assert len(_files(media)) == 1
