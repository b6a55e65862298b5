"""A staff notification's e-mail goes through the outbox to a real Celery worker and Redis."""

from pathlib import Path
from typing import Any

import pytest

from tests.footage.test_flow_with_worker import _mails, committed

pytestmark = [pytest.mark.django_db, pytest.mark.worker]


def test_a_supervisor_asked_to_approve_is_e_mailed_by_the_worker_after_the_commit(
    celery_worker: Path, not_eager: None
) -> None:
    # given a supervisor and an officer (committed: the worker reads them from the database)
    def given() -> Any:
        from accounts.models import Role
        from tests.factories import UserFactory

        return UserFactory(role=Role.SUPERVISOR), UserFactory(role=Role.OFFICER)

    supervisor, officer = committed(given)

    # when the officer states an exigent purpose in a department whose policy makes it wait
    # (the policy is committed too, and put back as the other tests expect it)
    def declare() -> Any:
        from cameras import access
        from notifications.models import Notification
        from tenants.models import Department, DepartmentPolicy
        from tenants.services import policy_update

        rialto = Department.objects.get(schema_name="rialto")
        before = DepartmentPolicy.objects.get(department=rialto).exigent_requires_approval
        policy_update(department=rialto, actor=None, exigent_requires_approval=True)
        try:
            purpose = access.purpose_declare(
                actor=access.Actor(user=officer, mfa=True),
                case_number="W-7",
                category="missing_person",
                text="Missing child",
                authority="exigent",
                approvals_link="/console/approvals/",
            )
        finally:
            policy_update(department=rialto, actor=None, exigent_requires_approval=before)
        return purpose, Notification.objects.get(recipient=supervisor)

    purpose, notification = committed(declare)

    # then the worker e-mails the supervisor a link to the page where it is decided
    # (other supervisors committed by earlier browser tests are e-mailed too: wait for ours)
    mail = _mails(celery_worker, f"To: {supervisor.email}")
    assert f"#purpose-{purpose.public_id}" in mail
    assert notification.subject in mail
    assert "http://rialto.localhost" in mail
