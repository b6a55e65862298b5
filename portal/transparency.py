"""The department's public transparency page, and the same figures as JSON (open data).

No sign-in, on the department's host. Everything is computed: the log's figures from its
rollups (audit.figures), footage answers and registered cameras as counts, the policy as
it stands, the chain head and the latest signed checkpoint (with an Atom feed of new ones),
the evidence-signing key's fingerprint. Nothing is typed in by
hand and nothing names a person or places a camera: only counts per month, action,
purpose category and consent level, each from 1 to the policy's threshold minus one shown
as "<N", and where one would be recoverable from totals (here, in the annual report, or on
this page last month) another hidden too: decided once for the page, its JSON and the annual
report by audit.publication.

A page for the public is not a police access: reading it writes nothing to the log.
"""

import base64
import datetime as dt
from dataclasses import replace
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.dates import MONTHS_3
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from audit.charts import bars_stacked
from audit.checkpoints import checkpoint_latest, verifier_key
from audit.figures import EVIDENCE, Period, PeriodError, grouper, label, period_parse, suppress
from audit.integrity import FailureNotice, failure_items, failure_statements, failures_published, log_failures
from audit.models import Action, SignedCheckpoint, SigningKey
from audit.publication import WITHHELD, YearTable, month_counts, year_published, year_table
from audit.selectors import chain_head
from audit.signing import department_signing_key
from cameras.models import ConsentGrant
from cameras.selectors import cameras_by_consent_level
from cameras.words import purpose_label
from core.http import status_of
from core.signing import public_key_fingerprint
from footage.selectors import footage_answers_count
from tenants.models import DepartmentPolicy
from tenants.selectors import policy_current

__all__ = [
    "CheckpointFeed",
    "TransparencyJsonView",
    "TransparencyView",
    "cell_threshold",
    "published_rate",
    "published_until",
    "suppression_rule",
    "transparency_data",
    "transparency_table",
]

DEFAULT_THRESHOLD = 5
NONE_STATED = "-"  # the JSON's key for searches without a purpose category


def _threshold(policy: DepartmentPolicy | None) -> int:
    return policy.public_cell_threshold if policy is not None else DEFAULT_THRESHOLD


def _rate(part: int, whole: int, threshold: int) -> float | None:
    """A share in per cent, published only when both counts are (else it would give them away)."""
    if whole < threshold or (0 < part < threshold):
        return None
    return round(100 * part / whole, 1)


def transparency_table(period: Period) -> YearTable:
    """The counts the page publishes: the month rollup's rows of the period's finished months."""
    complete = period.end == dt.date(period.year + 1, 1, 1)
    counts = month_counts(period.start, period.end)
    return year_table(counts, year=period.year, months=period.buckets(), complete=complete)


def suppression_rule(threshold: int) -> str:
    """The rule in words, for the JSON (English, as its keys; the page says it in its language)."""
    return (
        f"figures under {threshold} are shown as <{threshold}; where one would be recoverable from totals "
        f"(here, in the annual report, or in another month's version of this page), another is also hidden, "
        f"shown as ≥{threshold}; where even that would not do, the whole breakdown is shown as {WITHHELD}. "
        f"While the year is running, a year total is hidden when one of its months is"
    )


def transparency_data(
    *,
    period: Period,
    policy: DepartmentPolicy | None,
    table: YearTable,
    failures: list[FailureNotice] | None = None,
) -> dict[str, Any]:
    """The page's figures, suppressed, as plain data (the JSON, and what the HTML shows), with
    the log's failures (``failures``: audit.integrity.log_failures, read here if not given)."""
    threshold = _threshold(policy)
    months = [bucket.isoformat()[:7] for bucket in period.buckets()]

    # Cameras asked: from the log (footage_request events); how they were answered: counts
    # from the footage app (an owner's answer is not a police access, so it is no event).
    footage = footage_answers_count(period.start, period.end)
    cells = year_published(table, threshold=threshold, footage=footage)
    width = len(months)
    # Rows by their year's volume, largest first (the decision itself is by code, not by order).
    by_action = {
        code: [cells[("a", code, m)] for m in range(width)]
        for code in sorted(table.accesses, key=lambda code: (-sum(table.accesses[code]), code))
    }
    by_category = {
        (code or NONE_STATED): [cells[("c", code, m)] for m in range(width)]
        for code in sorted(table.searches, key=lambda code: (-sum(table.searches[code]), code))
    }
    asked = cells[("A", Action.FOOTAGE_REQUEST.value)]
    answered, with_footage = cells[("answered",)], cells[("answer", "uploaded")]
    # The chain head as of the latest signed checkpoint, never live (audit.selectors.chain_head_published).
    checkpoint = checkpoint_latest()
    head = chain_head(upto=checkpoint.tree_size) if checkpoint is not None else None
    key = department_signing_key()
    return {
        # A rewrite of the log found by its verification, stated until the board resolves it and
        # after, marked resolved (audit.integrity): the figures below may be unreliable since.
        "log_integrity": failures_published(log_failures() if failures is None else failures),
        "period": {
            "year": period.year,
            "months": months,
            "time_zone": _time_zone(),
            # Finished months only: the last day the figures cover.
            "published_through": (period.end - dt.timedelta(days=1)).isoformat(),
            "year_complete": table.complete,
        },
        "suppression": {"threshold": threshold, "rule": suppression_rule(threshold)},
        "accesses_by_month_and_action": by_action,
        "accesses_by_month": [cells[("month", m)] for m in range(width)],
        "searches_by_month_and_purpose_category": by_category,
        "live_views": cells[("A", Action.LIVE_START.value)],
        "live_minutes_by_month": [cells[("lm", m)] for m in range(width)],
        "live_minutes": cells[("LM",)],
        "denials_by_month": [cells[("d", m)] for m in range(width)],
        "denials": cells[("D",)],
        "footage_requests": {
            "cameras_asked": asked,
            "answered": answered,
            "with_footage": with_footage,
            "no_relevant_footage": cells[("answer", "no_footage")],
            "declined": cells[("answer", "declined")],
            "not_answered": cells[("not_answered",)],
            # None when a count it is made of is hidden (also as the complement of a hidden
            # one): a share of two published counts would give the hidden one away.
            "answer_rate_percent": _share(answered, asked, threshold),
            "footage_rate_percent": _share(with_footage, asked, threshold),
        },
        "registered_cameras_by_consent_level": {
            level: suppress(n, threshold) for level, n in cameras_by_consent_level(now=timezone.now()).items()
        },
        "policy": {
            "footage_retention_days": policy.footage_retention_days if policy else None,
            "live_view_limit_minutes": policy.live_view_limit_minutes if policy else None,
            "prohibited_purposes": list(policy.prohibited_purposes) if policy else [],
            "residential_live_view_allowed": policy.residential_live_view_allowed if policy else None,
            "exigent_requires_approval": policy.exigent_requires_approval if policy else None,
        },
        # As of the latest checkpoint, never live (None before the first checkpoint).
        "chain_head": {"seq": head.count, "hash": head.head_hash} if head else None,
        # The latest signed checkpoint (audit.checkpoints): what a witness holds the log to.
        "checkpoint": _checkpoint_data(checkpoint, key=key),
        "evidence_signing_key": {
            "algorithm": "Ed25519",
            "sha256_fingerprint": public_key_fingerprint(bytes(key.public_key)),
        },
    }


def _share(part: int | str, whole: int | str, threshold: int) -> float | None:
    """A share of two published counts (None when either is hidden: it would give it away)."""
    if not isinstance(part, int) or not isinstance(whole, int):
        return None
    return _rate(part, whole, threshold)


def _checkpoint_data(checkpoint: SignedCheckpoint | None, *, key: SigningKey) -> dict[str, Any] | None:
    if checkpoint is None:
        return None
    return {
        "tree_size": checkpoint.tree_size,
        "root_hash": base64.b64encode(bytes(checkpoint.root_hash)).decode(),
        "made_at": checkpoint.made_at.isoformat(),
        "note_url": reverse("audit-log-checkpoint"),
        "verifier_key": verifier_key(key=key),
    }


class _PlainSummaryAtom1Feed(Atom1Feed):
    """Atom whose entry summaries are plain text: a signed checkpoint note is text, and as
    type="html" (Django's default) a reader joins its lines into one."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        description = item["description"]
        super().add_item_elements(handler, {**item, "description": None})
        if description is not None:
            handler.addQuickElement("summary", description, {"type": "text"})


FeedItem = SignedCheckpoint | FailureNotice


class CheckpointFeed(Feed):
    """New signed checkpoints of the department's log as an Atom feed, for anyone who keeps
    watch without running the witness (docs/transparency-log.md), and every failure of the log's
    verification (audit.integrity) as an entry of its own, updated when the board resolves it."""

    feed_type = _PlainSummaryAtom1Feed
    item_count = 50

    def title(self) -> str:
        return _("Signed checkpoints of the access log")

    def link(self) -> str:
        return reverse("transparency")

    def subtitle(self) -> str:
        return _("Each checkpoint is signed with the department's key: %(key)s") % {"key": verifier_key()}

    def items(self) -> list[FeedItem]:
        checkpoints: list[FeedItem] = list(SignedCheckpoint.objects.order_by("-pk")[: self.item_count])
        # Every failure, however old: a reader of the feed must not miss one among checkpoints.
        return sorted([*log_failures(), *checkpoints], key=self.item_updateddate, reverse=True)

    def item_title(self, item: FeedItem) -> str:
        if isinstance(item, FailureNotice):
            if item.resolved:
                return _("The access log failed verification (resolved)")
            return _("The access log failed verification")
        return ngettext("Checkpoint of %(count)s event", "Checkpoint of %(count)s events", item.tree_size) % {
            "count": item.tree_size
        }

    def item_description(self, item: FeedItem) -> str:
        if isinstance(item, FailureNotice):
            return "\n\n".join(text for _code, text in failure_statements(item))
        return item.note

    def item_link(self, item: FeedItem) -> str:
        if isinstance(item, FailureNotice):
            return f"{reverse('transparency')}#log-failure-{item.failure.pk}"
        return f"{reverse('api-log-checkpoint')}?size={item.tree_size}"

    def item_guid(self, item: FeedItem) -> str:
        if isinstance(item, FailureNotice):
            return f"log-failure:{item.failure.pk}"
        return f"checkpoint:{item.tree_size}:{base64.b64encode(bytes(item.root_hash)).decode()}"

    def item_pubdate(self, item: FeedItem) -> Any:
        return item.failure.found_at if isinstance(item, FailureNotice) else item.made_at

    def item_updateddate(self, item: FeedItem) -> Any:
        if isinstance(item, FailureNotice):
            return item.resolution.resolved_at if item.resolution else item.failure.found_at
        return item.made_at


def _time_zone() -> str:
    return str(timezone.get_current_timezone_name())


def published_until() -> dt.date:
    """The first day of the current month, in the department's time zone: the public outputs
    publish the months before it only. A month still running would let a reader who reloads
    the page time each access as its count goes up; a finished month's figures no longer move.
    (The board's own pages keep the current month.)"""
    return timezone.localdate().replace(day=1)


def _period(request: HttpRequest) -> Period:
    unknown = sorted(set(request.GET) - {"year"})
    if unknown:
        raise PeriodError(
            _("Unknown filter: %(names)s. This page is filtered by year only.")
            % {"names": ", ".join(name[:40] for name in unknown[:5])}
        )
    until = published_until()
    # Without a year: the year of the last finished month (in January, last year's).
    period = period_parse(year=request.GET.get("year", "")[:20], month="", today=until - dt.timedelta(days=1))
    return replace(period, until=until)


def _cache_headers(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The same for every visitor, so shared caches may keep it, unless the visitor is signed
    in: their page carries their session (the menu, their name), which no cache may hand to
    another, and which their browser should not keep either; or unless the response sets a
    cookie (a publicly cacheable response never does): then only the visitor's browser keeps it."""
    if request.user.is_authenticated:
        add_never_cache_headers(response)
    elif response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        # The page's forms (the language menu) carry a CSRF token, and the middleware sets its
        # cookie after this: a shared cache would hand every visitor the same cookie and token.
        response["Cache-Control"] = "private, max-age=300"
    else:
        response["Cache-Control"] = "public, max-age=300"
    patch_vary_headers(response, ["Cookie"])
    return response


def _policy(request: HttpRequest) -> DepartmentPolicy:
    return policy_current()


class TransparencyView(View):
    template_name = "portal/transparency.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        last = published_until() - dt.timedelta(days=1)
        years = list(range(last.year, last.year - 6, -1))
        try:
            period = _period(request)
        except PeriodError as exc:
            refused = {"error": exc.message, "years": years, "log_failures": failure_items(log_failures())}
            return render(request, self.template_name, refused, status=status_of(exc))
        policy = _policy(request)
        failures = log_failures()
        data = transparency_data(period=period, policy=policy, table=transparency_table(period), failures=failures)
        months = [str(MONTHS_3[bucket.month]).capitalize() for bucket in period.buckets()]

        grouped = grouper()

        def rows(series: dict[str, list[Any]], words: Any) -> list[tuple[str, list[str]]]:
            return [(words(code), [grouped(v) for v in values]) for code, values in series.items()]

        context: dict[str, Any] = {
            "data": data,
            "log_failures": failure_items(failures),
            "year": period.year,
            "years": years,
            "months": months,
            "policy": policy,
            "action_rows": rows(data["accesses_by_month_and_action"], _action_words),
            "category_rows": rows(data["searches_by_month_and_purpose_category"], _purpose_words),
            "denial_cells": [grouped(v) for v in data["denials_by_month"]],
            "live_cells": [grouped(v) for v in data["live_minutes_by_month"]],
            "levels": [
                (_level_words(level), grouped(n)) for level, n in data["registered_cameras_by_consent_level"].items()
            ],
            # Drawn from the published (suppressed) cells only: a "<5" or "≥5" cell is drawn as 0.
            "accesses_chart": bars_stacked(
                _("Police accesses by month"),
                months,
                {
                    _action_words(code): [v if isinstance(v, int) else 0 for v in values]
                    for code, values in data["accesses_by_month_and_action"].items()
                },
            ),
            "json_url": request.path.rstrip("/") + ".json" + (f"?year={period.year}" if request.GET else ""),
            "published_through": period.end - dt.timedelta(days=1),
            "log_url": f"{request.scheme}://{request.get_host()}",  # the witness command's --log
        }
        return _cache_headers(request, render(request, self.template_name, context))


class TransparencyJsonView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            period = _period(request)
        except PeriodError as exc:
            return JsonResponse({"error": exc.message}, status=status_of(exc))
        data = transparency_data(period=period, policy=_policy(request), table=transparency_table(period))
        data["department"] = request.tenant.name  # type: ignore[attr-defined]
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
        response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
        return _cache_headers(request, response)


def _action_words(code: str) -> str:
    return _("Footage exported as evidence") if code == EVIDENCE else label(Action, code)


def _purpose_words(code: str) -> str:
    return str(purpose_label(code)) if code != "-" else _("none stated")


def _level_words(level: str) -> str:
    if level == "off":
        return _("Consent off (revoked, expired or paused)")
    words = dict(ConsentGrant._meta.get_field("level").flatchoices)
    return str(words.get(level, level))


# The public compliance page (portal.compliance_public) publishes by the same rules.
cell_threshold = _threshold
published_rate = _rate
