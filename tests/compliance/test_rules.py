"""A site's compliance with an ordinance version: compliance.rules, pure (no database)."""

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cameras.consent import LEVEL_RANK, ConsentLevel, Window
from compliance.rules import (
    AppealFacts,
    AttestationFacts,
    CameraFacts,
    InspectionFacts,
    NoticeFacts,
    OrdinanceRules,
    PlacementCode,
    Requirement,
    Severity,
    SiteFacts,
    Status,
    compliance_judge,
    megapixels,
    rules_problems,
    site_status,
)

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
UTC = "UTC"
RIALTO = OrdinanceRules(
    key="rialto",
    name="Rialto",
    property_kinds=("business",),
    built_after=dt.date(2020, 1, 1),
    min_consent="live",
    live_connection_required=True,
)
DEKALB = OrdinanceRules(
    key="dekalb",
    name="DeKalb",
    business_categories=("gas_station", "convenience_store"),
    min_cameras=2,
    placements=("entrance", "fuel_pump"),
    min_megapixels=4,
    min_fps=24,
    night_vision=True,
    retention_days=60,
    min_consent="on_request",
    signage=True,
    lighting=True,
    attestation_month=5,
    attestation_day=1,
    cure_days=60,
)
SHOP = SiteFacts(kind="business", business_category="gas_station", constructed_on=dt.date(2024, 3, 1))
GOOD_CAMERA = CameraFacts(
    active=True, consent_level="live", views=("entrance", "parking"), megapixels=8.3, fps=30, bridge_online=True
)
ALL_ATTESTED = frozenset(r.value for r in Requirement)

# ---------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------

levels = st.sampled_from([None, *ConsentLevel])
NINE_TO_FIVE = tuple(Window(day, dt.time(9), dt.time(17)) for day in range(5))  # 40 hours a week
#: Every hour of the week in the 14 windows a consent may have: morning and afternoon each day.
WHOLE_WEEK = tuple(
    window
    for day in range(7)
    for window in (Window(day, dt.time(0), dt.time(12)), Window(day, dt.time(12), dt.time(0), next_day=True))
)
schedules = st.sampled_from([(), NINE_TO_FIVE, WHOLE_WEEK, (Window(6, dt.time(3), dt.time(3, 1)),)])
instants = st.datetimes(  # hypothesis takes naive bounds and attaches the zone itself
    min_value=dt.datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=dt.datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)
cameras = st.builds(
    CameraFacts,
    active=st.booleans(),
    consent_level=levels,
    consent_revoked_at=st.none() | instants,
    consent_expires_at=st.none() | instants,
    views=st.lists(st.sampled_from(["entrance", "parking", "street", "interior"]), max_size=3).map(tuple),
    megapixels=st.none() | st.floats(0.1, 12),
    fps=st.none() | st.integers(1, 60),
    bridge_online=st.booleans(),
    retention_days=st.none() | st.integers(1, 120),
    live_windows=schedules,
)
rules_strategy = st.builds(
    OrdinanceRules,
    key=st.just("o"),
    name=st.just("O"),
    property_kinds=st.sampled_from([(), ("business",), ("business", "multifamily")]),
    business_categories=st.sampled_from([(), ("gas_station",)]),
    built_after=st.none() | st.dates(dt.date(2018, 1, 1), dt.date(2026, 1, 1)),
    min_units=st.none() | st.integers(1, 10),
    min_cameras=st.none() | st.integers(1, 4),
    placements=st.lists(st.sampled_from(list(PlacementCode)), max_size=2, unique=True).map(tuple),
    min_megapixels=st.none() | st.sampled_from([1.0, 2.0, 4.0]),
    min_fps=st.none() | st.sampled_from([5, 15, 24]),
    night_vision=st.booleans(),
    retention_days=st.none() | st.integers(1, 90),
    min_consent=levels,
    live_connection_required=st.booleans(),
    signage=st.booleans(),
    attestation_month=st.none() | st.integers(1, 12),
    attestation_day=st.integers(1, 28),
)
sites = st.builds(
    SiteFacts,
    kind=st.sampled_from(["business", "residential", "multifamily", "school"]),
    business_category=st.sampled_from(["", "gas_station", "bar"]),
    constructed_on=st.none() | st.dates(dt.date(2010, 1, 1), dt.date(2026, 1, 1)),
    units=st.none() | st.integers(0, 20),
    licence_renews_on=st.none() | st.dates(dt.date(2026, 1, 1), dt.date(2027, 1, 1)),
)
attestation_lists = st.lists(
    st.builds(
        AttestationFacts,
        ordinance_key=st.just("o"),
        signed_at=instants,
        confirmed=st.frozensets(st.sampled_from(list(Requirement))),
    ),
    max_size=2,
)

#: Worse statuses rank higher (a covered site's order; NOT_COVERED and EXEMPT are not "better").
RANK = {Status.COMPLIANT: 0, Status.DUE_SOON: 1, Status.UNDER_APPEAL: 2, Status.NOT_COMPLIANT: 3}


def judge(rules: OrdinanceRules = RIALTO, site: SiteFacts = SHOP, cams: list[CameraFacts] | None = None, **kw: object):  # type: ignore[no-untyped-def]
    cameras = [GOOD_CAMERA] if cams is None else cams
    return compliance_judge(rules=rules, site=site, cameras=cameras, now=NOW, time_zone=UTC, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


@given(
    rules=rules_strategy,
    site=sites,
    existing=st.lists(cameras, max_size=4),
    extra=cameras,
    atts=attestation_lists,
    now=instants,
)
def test_adding_a_camera_never_makes_a_site_less_compliant(
    rules: OrdinanceRules,
    site: SiteFacts,
    existing: list[CameraFacts],
    extra: CameraFacts,
    atts: list,
    now: dt.datetime,
) -> None:
    before = compliance_judge(rules=rules, site=site, cameras=existing, attestations=atts, now=now, time_zone=UTC)
    after = compliance_judge(
        rules=rules, site=site, cameras=[*existing, extra], attestations=atts, now=now, time_zone=UTC
    )

    assert RANK.get(after.status, 0) <= RANK.get(before.status, 0)


@given(
    rules=rules_strategy,
    site=sites,
    existing=st.lists(cameras, min_size=1, max_size=4),
    index=st.integers(0, 3),
    new=st.sampled_from(list(ConsentLevel)),
    now=instants,
)
def test_raising_consent_never_makes_a_site_less_compliant(
    rules: OrdinanceRules, site: SiteFacts, existing: list[CameraFacts], index: int, new: ConsentLevel, now: dt.datetime
) -> None:
    index %= len(existing)
    old = existing[index].consent_level
    raised = new if old is None or LEVEL_RANK[new] >= LEVEL_RANK[ConsentLevel(old)] else ConsentLevel(old)
    changed = [*existing[:index], dataclasses.replace(existing[index], consent_level=raised), *existing[index + 1 :]]

    before = compliance_judge(rules=rules, site=site, cameras=existing, now=now, time_zone=UTC)
    after = compliance_judge(rules=rules, site=site, cameras=changed, now=now, time_zone=UTC)

    assert RANK.get(after.status, 0) <= RANK.get(before.status, 0)


@given(rules=rules_strategy, site=sites, cams=st.lists(cameras, max_size=3), atts=attestation_lists, now=instants)
def test_a_site_outside_the_covered_kinds_is_never_not_compliant(
    rules: OrdinanceRules, site: SiteFacts, cams: list[CameraFacts], atts: list, now: dt.datetime
) -> None:
    outside = dataclasses.replace(site, kind="school")
    rules = dataclasses.replace(rules, property_kinds=("business",))

    judgement = compliance_judge(rules=rules, site=outside, cameras=cams, attestations=atts, now=now, time_zone=UTC)

    assert judgement.status is Status.NOT_COVERED
    assert judgement.unmet == ()


@given(
    month=st.integers(1, 12),
    day=st.integers(1, 28),
    signed=st.dates(dt.date(2024, 1, 1), dt.date(2027, 1, 1)),
    years_later=st.integers(1, 3),
)
def test_an_expired_attestation_always_yields_a_reason(month: int, day: int, signed: dt.date, years_later: int) -> None:
    rules = dataclasses.replace(DEKALB, attestation_month=month, attestation_day=day)
    signed_at = dt.datetime.combine(signed, dt.time(12), tzinfo=dt.UTC)
    # More than a year and the filing window later, whatever the due day, the signature has expired.
    now = signed_at + dt.timedelta(days=365 * years_later + 61)

    judgement = compliance_judge(
        rules=rules,
        site=SHOP,
        cameras=[GOOD_CAMERA, GOOD_CAMERA],
        attestations=[AttestationFacts("dekalb", signed_at, ALL_ATTESTED)],
        now=now,
        time_zone=UTC,
    )

    expired = [u for u in judgement.unmet if u.requirement is Requirement.ATTESTATION]
    assert expired
    assert expired[0].severity is Severity.FAIL
    assert "expired" in expired[0].message
    assert judgement.status is Status.NOT_COMPLIANT


# ---------------------------------------------------------------------------
# Examples
# ---------------------------------------------------------------------------


def test_a_live_consent_without_a_connected_bridge_is_not_compliant_with_a_live_connection_ordinance() -> None:
    no_bridge = dataclasses.replace(GOOD_CAMERA, bridge_online=False)

    judgement = judge(cams=[no_bridge])

    assert judgement.status is Status.NOT_COMPLIANT
    assert [u.requirement for u in judgement.unmet] == [Requirement.LIVE_CONNECTION]
    assert "bridge" in judgement.unmet[0].message


def test_a_live_camera_with_a_connected_bridge_meets_rialto() -> None:
    assert judge().status is Status.COMPLIANT


@pytest.mark.parametrize(
    ("site", "status"),
    [
        (dataclasses.replace(SHOP, constructed_on=dt.date(2019, 12, 31)), Status.NOT_COVERED),
        (dataclasses.replace(SHOP, kind="residential"), Status.NOT_COVERED),
        (dataclasses.replace(SHOP, constructed_on=None), Status.NOT_COMPLIANT),
    ],
)
def test_rialto_covers_new_or_remodelled_businesses_and_a_missing_date_keeps_a_site_covered(
    site: SiteFacts, status: Status
) -> None:
    assert judge(site=site).status is status


def test_a_low_consent_camera_beside_a_qualifying_one_does_not_count_against_the_site() -> None:
    low = dataclasses.replace(GOOD_CAMERA, consent_level="registered", bridge_online=False)

    assert judge(cams=[GOOD_CAMERA, low]).status is Status.COMPLIANT


def test_dekalb_names_every_unmet_requirement_of_a_bare_gas_station() -> None:
    judgement = judge(rules=DEKALB, cams=[CameraFacts(active=True, consent_level="registered")])

    unmet = {u.requirement for u in judgement.unmet}
    assert {Requirement.MIN_CAMERAS, Requirement.CONSENT, Requirement.RESOLUTION, Requirement.FRAME_RATE} <= unmet
    assert Requirement.PLACEMENTS in unmet  # no qualifying camera views the entrance
    assert Requirement.ATTESTATION not in unmet  # never filed, but the first is not due until May
    assert (judgement.attestation_awaited, judgement.next_attestation_due) == (True, dt.date(2027, 5, 1))
    assert all(u.message and "%(" not in u.message for u in judgement.unmet)


def test_a_fresh_attestation_missing_a_requirement_the_new_version_added_names_it() -> None:
    signed = dt.datetime(2026, 4, 20, tzinfo=dt.UTC)
    confirmed = frozenset({"night_vision", "retention", "signage", "placements"})  # not lighting
    cams = [dataclasses.replace(GOOD_CAMERA, consent_level="on_request")] * 2

    judgement = judge(rules=DEKALB, cams=cams, attestations=[AttestationFacts("dekalb", signed, confirmed)])

    assert [u.requirement for u in judgement.unmet] == [Requirement.LIGHTING]


def test_an_attestation_signed_before_the_due_day_is_valid_for_a_year() -> None:
    signed = dt.datetime(2026, 4, 20, tzinfo=dt.UTC)
    cams = [dataclasses.replace(GOOD_CAMERA, consent_level="on_request")] * 2

    judgement = judge(rules=DEKALB, cams=cams, attestations=[AttestationFacts("dekalb", signed, ALL_ATTESTED)])

    assert judgement.status is Status.COMPLIANT
    assert judgement.next_attestation_due == dt.date(2027, 5, 1)


def test_a_pending_appeal_puts_a_failing_site_under_appeal_and_a_granted_exemption_exempts_it() -> None:
    no_bridge = dataclasses.replace(GOOD_CAMERA, bridge_online=False)

    pending = judge(cams=[no_bridge], appeals=[AppealFacts("rialto", decided=False)])
    granted = judge(cams=[no_bridge], appeals=[AppealFacts("rialto", decided=True, granted=True)])

    assert pending.status is Status.UNDER_APPEAL
    assert pending.missing(Requirement.LIVE_CONNECTION)
    assert granted.status is Status.EXEMPT


def test_a_notice_is_due_until_its_cure_deadline_and_failing_after() -> None:
    before = judge(notices=[NoticeFacts("rialto", cure_by=NOW.date() + dt.timedelta(days=3))])
    after = judge(notices=[NoticeFacts("rialto", cure_by=NOW.date() - dt.timedelta(days=1))])

    assert (before.status, after.status) == (Status.DUE_SOON, Status.NOT_COMPLIANT)


def test_the_worst_ordinance_decides_the_site() -> None:
    ok = judge()
    failing = judge(cams=[])

    assert site_status([ok, failing]) is Status.NOT_COMPLIANT
    assert site_status([]) is Status.NOT_COVERED


@pytest.mark.parametrize(
    ("text", "mp"), [("1920x1080", 2.0736), ("2688 \u00d7 1520", 4.08576), ("4K", None), ("", None)]
)
def test_megapixels_are_read_from_the_resolution(text: str, mp: float | None) -> None:
    assert megapixels(text) == mp


# ---------------------------------------------------------------------------
# Contradictory ordinances
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("kinds", [("residential",), ()])
def test_a_minimum_consent_of_live_view_where_the_policy_bars_live_view_is_refused(kinds: tuple[str, ...]) -> None:
    rules = dataclasses.replace(RIALTO, property_kinds=kinds)

    problems = rules_problems(rules, live_view_barred_kinds=frozenset({"residential", "multifamily"}))

    fields = [name for name, _template, _params in problems]
    assert "min_consent" in fields
    assert "live_connection_required" in fields
    message = next(t % p for name, t, p in problems if name == "min_consent")
    assert "does not allow live view of" in message
    assert "residential" in message


def test_an_ordinance_within_the_policy_has_no_problems() -> None:
    assert rules_problems(RIALTO, live_view_barred_kinds=frozenset({"residential", "multifamily"})) == []


def test_a_live_connection_without_a_live_minimum_consent_is_refused() -> None:
    rules = dataclasses.replace(RIALTO, min_consent="on_request")

    problems = rules_problems(rules, live_view_barred_kinds=frozenset())

    assert [name for name, _t, _p in problems] == ["min_consent"]


def test_an_ordinance_of_business_categories_leaves_homes_out_and_asks_a_business_its_category() -> None:
    home = SiteFacts(kind="residential")
    shop = SiteFacts(kind="business")

    assert judge(rules=DEKALB, site=home).status is Status.NOT_COVERED
    assert judge(rules=DEKALB, site=home).category_asked is False
    unknown = judge(rules=DEKALB, site=shop)
    # A hardware store that has not said its category is not judged a gas station: not
    # covered, nothing unmet, but the owner is asked for the category.
    assert (unknown.status, unknown.unmet, unknown.category_asked) == (Status.NOT_COVERED, (), True)


@given(rules=rules_strategy, site=sites, cams=st.lists(cameras, max_size=3), atts=attestation_lists, now=instants)
def test_a_business_of_unknown_category_is_never_not_compliant_under_an_ordinance_of_categories(
    rules: OrdinanceRules, site: SiteFacts, cams: list[CameraFacts], atts: list, now: dt.datetime
) -> None:
    rules = dataclasses.replace(rules, business_categories=("gas_station", "convenience_store"))
    unknown = dataclasses.replace(site, business_category="")

    judgement = compliance_judge(rules=rules, site=unknown, cameras=cams, attestations=atts, now=now, time_zone=UTC)

    assert judgement.status is Status.NOT_COVERED
    assert judgement.unmet == ()


def test_with_no_camera_every_camera_requirement_is_missing_not_met() -> None:
    bare = judge(rules=dataclasses.replace(DEKALB, live_connection_required=True), cams=[])

    for code in (
        Requirement.MIN_CAMERAS,
        Requirement.CONSENT,
        Requirement.LIVE_CONNECTION,
        Requirement.RESOLUTION,
        Requirement.FRAME_RATE,
    ):
        assert bare.missing(code), code


def test_the_camera_count_sentences_have_singular_and_plural_forms() -> None:
    one = judge(rules=RIALTO, cams=[])
    two = judge(rules=DEKALB, cams=[])

    assert "Register at least 1 active camera here (0 now)." in [u.message for u in one.unmet]
    assert "At least 1 camera here must allow “live”, with consent in force and not paused." in [
        u.message for u in one.unmet
    ]
    assert "Register at least 2 active cameras here (0 now)." in [u.message for u in two.unmet]


def test_an_exemption_carries_its_end_date() -> None:
    granted = AppealFacts("rialto", decided=True, granted=True, exempt_until=dt.date(2027, 6, 30))

    judgement = judge(cams=[], appeals=[granted])

    assert (judgement.status, judgement.exempt_until) == (Status.EXEMPT, dt.date(2027, 6, 30))


def test_what_the_latest_inspection_found_not_met_is_named() -> None:
    older = InspectionFacts("rialto", dt.date(2026, 1, 5), frozenset({"signage"}))
    latest = InspectionFacts("rialto", dt.date(2026, 5, 5), frozenset({"lighting"}))

    judgement = judge(inspections=[older, latest])

    assert [u.message for u in judgement.unmet] == [
        "The inspection of 2026-05-05 found this not met: lighting. A new inspection must find it met."
    ]
    assert judgement.status is Status.NOT_COMPLIANT


def test_an_ordinance_of_business_categories_asking_live_view_is_within_a_policy_barring_homes() -> None:
    rules = dataclasses.replace(DEKALB, min_consent="live", live_connection_required=True)

    assert rules_problems(rules, live_view_barred_kinds=frozenset({"residential", "multifamily"})) == []


def test_a_granted_appeal_sets_aside_only_the_inspection_finding_it_disputed() -> None:
    no_bridge = dataclasses.replace(GOOD_CAMERA, bridge_online=False)
    finding = InspectionFacts("rialto", dt.date(2026, 5, 5), frozenset({"signage"}))
    appeal = AppealFacts("rialto", decided=True, granted=True, kind="appeal", requested_on=dt.date(2026, 5, 10))

    judgement = judge(cams=[no_bridge], inspections=[finding], appeals=[appeal])

    assert judgement.status is Status.NOT_COMPLIANT
    assert judgement.exempt_until is None
    assert not judgement.missing(Requirement.INSPECTION)
    assert judgement.missing(Requirement.LIVE_CONNECTION)


def test_a_granted_appeal_leaves_a_later_inspection_finding_and_a_later_notice_standing() -> None:
    appeal = AppealFacts("rialto", decided=True, granted=True, kind="appeal", requested_on=dt.date(2026, 5, 10))
    old_notice = NoticeFacts("rialto", cure_by=dt.date(2026, 5, 1), issued_on=dt.date(2026, 4, 1))
    new_notice = NoticeFacts("rialto", cure_by=dt.date(2026, 6, 1), issued_on=dt.date(2026, 5, 20))
    later = InspectionFacts("rialto", dt.date(2026, 6, 1), frozenset({"lighting"}))

    judgement = judge(inspections=[later], notices=[old_notice, new_notice], appeals=[appeal])

    assert [u.params.get("date") for u in judgement.unmet] == ["2026-06-01", "2026-06-01"]
    assert judgement.status is Status.NOT_COMPLIANT


def test_a_granted_appeal_with_nothing_to_set_aside_leaves_a_compliant_site_compliant() -> None:
    appeal = AppealFacts("rialto", decided=True, granted=True, kind="appeal", requested_on=dt.date(2026, 5, 10))

    assert judge(appeals=[appeal]).status is Status.COMPLIANT


def test_an_exemption_ends_on_its_end_date() -> None:
    ended = AppealFacts("rialto", decided=True, granted=True, exempt_until=NOW.date() - dt.timedelta(days=1))

    assert judge(cams=[], appeals=[ended]).status is Status.NOT_COMPLIANT


def test_a_camera_below_the_resolution_is_named_with_its_value() -> None:
    low = dataclasses.replace(GOOD_CAMERA, label="Pump 2", megapixels=3.6864)
    unknown = dataclasses.replace(GOOD_CAMERA, megapixels=None)

    too_low = judge(rules=dataclasses.replace(RIALTO, min_megapixels=4.0), cams=[low])
    missing = judge(rules=dataclasses.replace(RIALTO, min_megapixels=4.0), cams=[unknown])

    assert [u.message for u in too_low.unmet if u.requirement is Requirement.RESOLUTION] == [
        "Camera “Pump 2” records 3.7 megapixels, too low: cameras must record at least 4 megapixels."
    ]
    assert [u.message for u in missing.unmet if u.requirement is Requirement.RESOLUTION] == [
        "Cameras must record at least 4 megapixels; give each camera's resolution."
    ]


# ---------------------------------------------------------------------------
# Requirements only an owner can confirm (security review of issue 16)
# ---------------------------------------------------------------------------

FONTANA = OrdinanceRules(
    key="fontana", name="Fontana", property_kinds=("business",), min_cameras=1, retention_days=30000
)


def test_a_camera_declaring_less_retention_than_the_ordinance_asks_does_not_meet_it() -> None:
    camera = dataclasses.replace(GOOD_CAMERA, retention_days=30)

    judgement = judge(FONTANA, cams=[camera])

    assert judgement.status is Status.NOT_COMPLIANT
    retention = next(u for u in judgement.unmet if u.requirement is Requirement.RETENTION)
    assert "30000" in retention.message
    assert "30 days" in retention.message


def test_a_requirement_no_attestation_can_confirm_is_not_confirmed_and_the_site_not_compliant() -> None:
    signage_only = OrdinanceRules(key="f", name="F", property_kinds=("business",), signage=True)

    judgement = judge(signage_only)

    assert judgement.status is Status.NOT_COMPLIANT
    assert judgement.missing(Requirement.SIGNAGE)
    assert Requirement.SIGNAGE not in judgement.declared


def test_retention_declared_by_enough_cameras_is_met_without_an_attestation() -> None:
    rules = dataclasses.replace(FONTANA, retention_days=30, attestation_month=5, attestation_day=1)
    camera = dataclasses.replace(GOOD_CAMERA, retention_days=45)

    judgement = judge(rules, cams=[camera])

    assert Requirement.RETENTION in judgement.declared
    assert not judgement.missing(Requirement.RETENTION)


def test_a_declaration_below_the_ordinance_outweighs_an_attestation_confirming_it() -> None:
    rules = dataclasses.replace(FONTANA, attestation_month=5, attestation_day=1)
    camera = dataclasses.replace(GOOD_CAMERA, retention_days=30)
    attestation = AttestationFacts("fontana", dt.datetime(2026, 5, 1, tzinfo=dt.UTC), ALL_ATTESTED)

    judgement = judge(rules, cams=[camera], attestations=[attestation])

    assert judgement.missing(Requirement.RETENTION)


@pytest.mark.parametrize(
    "rules",
    [
        OrdinanceRules(key="f", name="F", night_vision=True),
        OrdinanceRules(key="f", name="F", signage=True),
        OrdinanceRules(key="f", name="F", lighting=True),
        OrdinanceRules(key="f", name="F", placements=("fuel_pump",)),
    ],
)
def test_an_ordinance_asking_an_attested_requirement_without_an_attestation_schedule_is_refused(
    rules: OrdinanceRules,
) -> None:

    problems = rules_problems(rules, live_view_barred_kinds=frozenset())

    assert [name for name, _template, _params in problems] == ["attestation_month"]


def test_an_ordinance_asking_retention_without_an_attestation_schedule_is_refused() -> None:
    problems = rules_problems(FONTANA, live_view_barred_kinds=frozenset())

    assert [name for name, _template, _params in problems] == ["attestation_month"]
    assert "retention" in problems[0][1].lower() or "retention" in str(problems[0][2])


@pytest.mark.parametrize(("month", "day"), [(2, 30), (2, 31), (4, 31), (6, 31), (9, 31), (11, 31)])
def test_an_attestation_due_day_the_month_does_not_have_is_refused(month: int, day: int) -> None:
    rules = dataclasses.replace(DEKALB, attestation_month=month, attestation_day=day)

    problems = rules_problems(rules, live_view_barred_kinds=frozenset())

    assert [name for name, _template, _params in problems] == ["attestation_day"]


@pytest.mark.parametrize(("month", "day"), [(2, 29), (1, 31), (4, 30), (12, 31)])
def test_an_attestation_due_day_the_month_has_is_accepted(month: int, day: int) -> None:
    rules = dataclasses.replace(DEKALB, attestation_month=month, attestation_day=day)

    assert rules_problems(rules, live_view_barred_kinds=frozenset()) == []


@pytest.mark.parametrize(
    ("month", "day", "due"),
    [
        (2, 29, dt.date(2027, 2, 28)),  # documented: 29 February is due on the 28th in a common year
        (4, 31, dt.date(2027, 4, 30)),  # a version stored before this was refused: the month's last day
    ],
)
def test_an_attestation_due_on_a_day_the_year_lacks_is_due_on_the_months_last_day(
    month: int, day: int, due: dt.date
) -> None:
    rules = dataclasses.replace(DEKALB, attestation_month=month, attestation_day=day)

    judgement = judge(rules)

    assert judgement.next_attestation_due == due


# ---------------------------------------------------------------------------
# A consent limited by a schedule (live view at some hours only)
# ---------------------------------------------------------------------------


@given(
    rules=rules_strategy,
    site=sites,
    existing=st.lists(cameras, min_size=1, max_size=4),
    index=st.integers(0, 3),
    now=instants,
)
def test_removing_a_consent_schedule_never_makes_a_site_less_compliant(
    rules: OrdinanceRules, site: SiteFacts, existing: list[CameraFacts], index: int, now: dt.datetime
) -> None:
    index %= len(existing)
    changed = [*existing[:index], dataclasses.replace(existing[index], live_windows=()), *existing[index + 1 :]]

    before = compliance_judge(rules=rules, site=site, cameras=existing, now=now, time_zone=UTC)
    after = compliance_judge(rules=rules, site=site, cameras=changed, now=now, time_zone=UTC)

    assert RANK.get(after.status, 0) <= RANK.get(before.status, 0)


@pytest.mark.parametrize(
    ("level", "schedule", "hours"),
    [
        ("live", NINE_TO_FIVE, "40"),
        ("live", (Window(0, dt.time(9), dt.time(9, 1)),), "0.02"),  # one minute a week: not live
        ("live", (Window(4, dt.time(22), dt.time(6, 30), next_day=True),), "8.5"),
        ("live_exigent", NINE_TO_FIVE, "40"),
    ],
)
def test_a_live_consent_limited_to_a_schedule_does_not_meet_an_ordinance_asking_live_view(
    level: str, schedule: tuple[Window, ...], hours: str
) -> None:
    rules = dataclasses.replace(RIALTO, min_consent=level)
    scheduled = dataclasses.replace(GOOD_CAMERA, consent_level=level, live_windows=schedule, label="Pumps")

    judgement = judge(rules=rules, cams=[scheduled])

    assert judgement.status is Status.NOT_COMPLIANT
    assert [u.requirement for u in judgement.unmet] == [Requirement.LIVE_SCHEDULE]
    message = judgement.unmet[0].message
    assert "“Pumps”" in message
    assert f"only on a schedule, {hours} of the week's 168 hours" in message
    assert "every hour" in message


def test_a_schedule_covering_every_hour_of_the_week_meets_an_ordinance_asking_live_view() -> None:
    whole = dataclasses.replace(GOOD_CAMERA, live_windows=WHOLE_WEEK)

    assert judge(cams=[whole]).status is Status.COMPLIANT


def test_a_scheduled_camera_beside_one_without_a_schedule_does_not_count_against_the_site() -> None:
    scheduled = dataclasses.replace(GOOD_CAMERA, live_windows=NINE_TO_FIVE)

    assert judge(cams=[GOOD_CAMERA, scheduled]).status is Status.COMPLIANT


def test_a_schedule_does_not_matter_to_an_ordinance_asking_footage_on_request() -> None:
    # Footage requests are not time-limited (cameras.consent): the schedule restricts live view only.
    rules = dataclasses.replace(RIALTO, min_consent="on_request", live_connection_required=False)
    scheduled = dataclasses.replace(GOOD_CAMERA, consent_level="live", live_windows=NINE_TO_FIVE)

    assert judge(rules=rules, cams=[scheduled]).status is Status.COMPLIANT


def test_a_scheduled_consent_below_the_minimum_is_named_for_its_level_not_its_schedule() -> None:
    low = dataclasses.replace(GOOD_CAMERA, consent_level="on_request", live_windows=NINE_TO_FIVE)

    judgement = judge(cams=[low])

    assert [u.requirement for u in judgement.unmet] == [Requirement.CONSENT]


# ---------------------------------------------------------------------------
# "Due soon" means within DUE_SOON_DAYS, and days are the department's
# ---------------------------------------------------------------------------

CALIFORNIA = "America/Los_Angeles"
IN_CALIFORNIA = ZoneInfo(CALIFORNIA)
AFFIDAVIT = dataclasses.replace(DEKALB, min_cameras=1, min_megapixels=None, min_fps=None, placements=())
GOOD_FOR_AFFIDAVIT = dataclasses.replace(GOOD_CAMERA, retention_days=90)


@pytest.mark.parametrize(
    ("today", "status", "awaited"),
    [
        (dt.date(2026, 12, 8), Status.COMPLIANT, True),  # five months before 1 May: not soon
        (dt.date(2027, 3, 31), Status.COMPLIANT, True),  # 31 days before
        (dt.date(2027, 4, 1), Status.DUE_SOON, False),  # 30 days before
        (dt.date(2027, 4, 30), Status.DUE_SOON, False),
    ],
)
def test_a_first_attestation_is_due_soon_only_within_thirty_days_of_its_due_day(
    today: dt.date, status: Status, awaited: bool
) -> None:
    now = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)

    judgement = compliance_judge(rules=AFFIDAVIT, site=SHOP, cameras=[GOOD_FOR_AFFIDAVIT], now=now, time_zone=UTC)

    assert judgement.status is status
    assert judgement.attestation_awaited is awaited
    assert judgement.next_attestation_due == dt.date(2027, 5, 1)


def test_a_filed_attestation_expiring_in_five_months_is_not_due_soon() -> None:
    signed = dt.datetime(2026, 4, 20, 12, tzinfo=dt.UTC)  # valid until 1 May 2027
    now = dt.datetime(2026, 12, 8, 12, tzinfo=dt.UTC)

    judgement = compliance_judge(
        rules=AFFIDAVIT,
        site=SHOP,
        cameras=[GOOD_FOR_AFFIDAVIT],
        attestations=[AttestationFacts("dekalb", signed, ALL_ATTESTED)],
        now=now,
        time_zone=UTC,
    )

    assert (judgement.status, judgement.attestation_awaited) == (Status.COMPLIANT, False)


@pytest.mark.parametrize(
    ("local_time", "status"),
    [
        # 06:30 UTC on 1 May: still valid in California
        (dt.datetime(2027, 4, 30, 23, 30, tzinfo=IN_CALIFORNIA), Status.DUE_SOON),
        (dt.datetime(2027, 5, 1, 0, 30, tzinfo=IN_CALIFORNIA), Status.NOT_COMPLIANT),
    ],
)
def test_an_attestation_expires_at_the_departments_midnight_not_at_utcs(
    local_time: dt.datetime, status: Status
) -> None:
    signed = dt.datetime(2026, 4, 20, 12, tzinfo=dt.UTC)  # valid until 1 May 2027

    judgement = compliance_judge(
        rules=AFFIDAVIT,
        site=SHOP,
        cameras=[GOOD_FOR_AFFIDAVIT],
        attestations=[AttestationFacts("dekalb", signed, ALL_ATTESTED)],
        now=local_time.astimezone(dt.UTC),
        time_zone=CALIFORNIA,
    )

    assert judgement.status is status


def test_an_attestation_is_signed_on_the_departments_day_for_its_filing_window() -> None:
    # 23:30 on 1 March in California (2 March in UTC) is 61 days before 1 May: too early to count
    # for 1 May 2027 (the window is 60 days), so it counts for the previous due day and ends then.
    signed = dt.datetime(2027, 3, 1, 23, 30, tzinfo=IN_CALIFORNIA).astimezone(dt.UTC)
    now = dt.datetime(2027, 3, 15, 12, tzinfo=dt.UTC)

    judgement = compliance_judge(
        rules=AFFIDAVIT,
        site=SHOP,
        cameras=[GOOD_FOR_AFFIDAVIT],
        attestations=[AttestationFacts("dekalb", signed, ALL_ATTESTED)],
        now=now,
        time_zone=CALIFORNIA,
    )

    assert judgement.next_attestation_due == dt.date(2027, 5, 1)


def test_a_notice_cure_date_lasts_until_the_departments_midnight() -> None:
    now = dt.datetime(2026, 6, 15, 23, 30, tzinfo=IN_CALIFORNIA).astimezone(dt.UTC)  # 16 June in UTC
    notice = NoticeFacts("rialto", cure_by=dt.date(2026, 6, 15))

    judgement = compliance_judge(
        rules=RIALTO, site=SHOP, cameras=[GOOD_CAMERA], notices=[notice], now=now, time_zone=CALIFORNIA
    )

    assert judgement.status is Status.DUE_SOON
