from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "compliance"
    verbose_name = "Ordinance compliance"

    def ready(self) -> None:
        from audit.admin_changes import admin_change_source_register
        from cameras.events import site_change_listen, site_edit_listen
        from cameras.site_status import site_status_provider_register
        from footage.deadlines import delivery_hours_provider_register, delivery_ordinances_provider_register
        from live.liveness import bridge_liveness_listen
        from tenants.services import policy_validator_register

        from .admin_changes import INVITATION_KINDS, ORDINANCE_CHANGE_KINDS, licence_invitations, ordinance_changes
        from .coverage_exits import site_edit_listener
        from .licences.services import licences_site_changed_listener
        from .records import bridge_liveness_listener, site_changed_listener
        from .selectors import (
            policy_ordinance_conflicts,
            sites_delivery_hours,
            sites_delivery_ordinances,
            sites_status_for_api,
        )

        # Each change to a site's facts owes a recomputation of its stored compliance.
        site_change_listen(site_changed_listener)
        # ... and a re-match of the licences it may concern (nobody has to press 'Match again').
        site_change_listen(licences_site_changed_listener)
        # An owner's edit that takes a site out of an ordinance's coverage is recorded, flagged on
        # the dashboard and told to the compliance staff, in the edit's transaction.
        site_edit_listen(site_edit_listener)
        # A bridge that connects or goes owes it for sites whose rows judge a live connection.
        bridge_liveness_listen(bridge_liveness_listener)
        # A footage request to a covered site carries the ordinance's delivery deadline; footage
        # sits below compliance and cannot ask for it itself (footage.deadlines).
        delivery_hours_provider_register(sites_delivery_hours)
        # ... and the request page names the ordinance that set it.
        delivery_ordinances_provider_register(sites_delivery_ordinances)
        # The owner's API (cameras.api) reports each site's compliance; cameras sits below
        # compliance and cannot judge it itself (cameras.site_status).
        site_status_provider_register(sites_status_for_api)
        # A policy change may not make an ordinance in force impossible to meet (live view of
        # homes turned off while an ordinance asks them for it); tenants cannot ask compliance.
        policy_validator_register(policy_ordinance_conflicts)
        # The board's administrative changes include ordinance changes (issue 15); the log
        # cannot read compliance's history itself.
        admin_change_source_register(kinds=ORDINANCE_CHANGE_KINDS, source=ordinance_changes)
        # ... and the invitations to register sent after a licence import (from the log).
        admin_change_source_register(kinds=INVITATION_KINDS, source=licence_invitations)
