"""The department's users (one table per tenant schema) and their API tokens.

Users live in the tenant schema, so a Rialto account does not exist on Fontana's
host at all. The public schema has the same table for platform operators.
"""

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tenants.models import language_choices


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    BUSINESS = "business", _("Business")
    OFFICER = "officer", _("Officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    DEPT_ADMIN = "dept_admin", _("Department administrator")
    OVERSIGHT = "oversight", _("Oversight board")
    # The department itself, as the owner of its own cameras (city CCTV): one account per
    # department (accounts.services.department_account_ensure), inactive, without a usable
    # password or a deliverable address. It never signs in and is never anyone's contact.
    DEPARTMENT = "department", _("The department (its own cameras)")


STAFF_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.DEPT_ADMIN, Role.OVERSIGHT})
OWNER_ROLES = frozenset({Role.RESIDENT, Role.BUSINESS})
# Who reads the access log (the oversight pages, and the gate's audit_read): the department's
# supervisors and administrators and the oversight board; officers do not read their own log.
AUDIT_READER_ROLES = frozenset({Role.SUPERVISOR, Role.DEPT_ADMIN, Role.OVERSIGHT})
# Who reads the oversight board's workspace (issue 15: "role oversight"; DESIGN: the board has
# the oversight pages): its search and exports, dashboard, anomaly queue and notes, complaints
# and records requests, annual report and administrative changes. The department it oversees
# reads its own log on the log's page (AUDIT_READER_ROLES), not the board's work.
BOARD_ROLES = frozenset({Role.OVERSIGHT})
# Who is offered API tokens in the menu and on the tokens page: a token is for a program, such
# as a business's recorder or a dispatch system calling the search API. Residents are not: the
# link only confused them. This is not a security boundary (a token reaches only what its
# user's session does), so the API (POST /api/v1/tokens/) and the operator's command still
# mint tokens for any role, and the owner API stays documented for residents.
API_TOKEN_ROLES = frozenset(Role.values) - {Role.RESIDENT, Role.DEPARTMENT}


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.DEPT_ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.RESIDENT)
    badge_number = models.CharField(_("badge number"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Django admin access only (platform operators); department roles use `role`.
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    invited_by_id = models.BigIntegerField(null=True, blank=True)
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    # The language of every e-mail sent to this user (accounts.language), and of their pages
    # after they sign in; blank: the department's language.
    language = models.CharField(_("language"), max_length=10, choices=language_choices, blank=True, default="")
    # The compliance duty (issue 16): a supervisor the administrator gave it reads the ordinance
    # compliance dashboard; administrators always do (may_read_compliance). Kept in history.
    compliance_duty = models.BooleanField(_("compliance duty"), default=False)

    # History of who changed role and active state (and the other profile fields).
    # Login bookkeeping and the password hash are left out on purpose.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            # One department account per department (its schema): concurrent first registrations
            # of department cameras meet here, and the loser reads the winner's account.
            models.UniqueConstraint(
                fields=["role"], condition=models.Q(role="department"), name="user_one_department_account"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_department_account(self) -> bool:
        """The department's own account (owner of its cameras): it never signs in."""
        return self.role == Role.DEPARTMENT

    @property
    def is_staff_role(self) -> bool:
        """Police and oversight roles: MFA is mandatory and sessions are short."""
        return self.role in STAFF_ROLES

    @property
    def may_hold_api_tokens(self) -> bool:
        """Whether the menu and the tokens page offer API tokens to this user."""
        return self.role in API_TOKEN_ROLES

    @property
    def may_read_compliance(self) -> bool:
        """The compliance dashboard: department administrators, and supervisors given the duty."""
        if not self.is_active:
            return False
        return self.role == Role.DEPT_ADMIN or (self.role == Role.SUPERVISOR and self.compliance_duty)

    @property
    def display_label(self) -> str:
        if self.badge_number:
            return f"{self.full_name or self.email} (#{self.badge_number})"
        return self.full_name or self.email


class ApiToken(models.Model):
    """A per-user API token. Only a SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    #: Not a column: whether the token's user has a second factor, read with the token by
    #: accounts.selectors.api_token_live for this request; None when nobody has looked.
    user_has_mfa: bool | None = None

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Erasure(models.Model):
    """That the personal data of a user, site or camera were erased from the change history:
    an owner deleting their account (accounts.services.owner_account_erase) or one of their
    sites or cameras (cameras.services). Written in the erasure's transaction, and only added
    to (the app role may SELECT and INSERT: tenants.db_grants). The database lets the serving
    processes blank those history columns only for a subject recorded here that no longer
    exists when the transaction commits (tenants.history_guards), so a history rewritten in
    passing is refused, and one erased is on record. Names nobody: a typed reference to a row
    that is gone (a "user:<id>" is the pseudonym's number, as the access log keeps it)."""

    subject = models.CharField(max_length=40)  # "user:<id>", "site:<id>", "camera:<id>"
    erased_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [models.Index(fields=["subject"], name="accounts_erasure_subject")]

    def __str__(self) -> str:
        return f"{self.subject} erased"
