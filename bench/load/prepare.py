"""Users for the Locust load test, in a department seeded by ``make seed`` (default: rialto).

    python bench/load/prepare.py [--schema rialto] [--officers 20] [--board 5] [--out .local/load-users.json]

Residents are the demo's owners (owner01 … owner40, the demo password). Staff sign in with a
second step, and allauth refuses a TOTP code already used, so each simulated officer and board
member is a user of its own (``load-officer-NN``, ``load-board-NN``) with its own TOTP secret;
officers also get an API token and a stated purpose for the API search. Running it again
reuses the users and issues fresh tokens. Writes the credentials as JSON for locustfile.py.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _common import ROOT, django_setup

django_setup()

from allauth.mfa.models import Authenticator  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from allauth.mfa.utils import decrypt  # noqa: E402
from django.contrib.gis.geos import Point  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from accounts.services import api_token_issue  # noqa: E402
from cameras import access  # noqa: E402
from cameras.models import Camera  # noqa: E402
from tenants.demo import DEMO_PASSWORD  # noqa: E402
from tenants.models import Department  # noqa: E402


def staff(email: str, role: str, badge: str) -> tuple[User, str]:
    """A staff member with a TOTP secret of its own (read back from allauth's record)."""
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": email.split("@")[0], "role": role, "badge_number": badge}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        authenticator = TOTP.activate(user, generate_totp_secret()).instance
    return user, str(decrypt(authenticator.data["secret"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schema", default="rialto")
    parser.add_argument("--officers", type=int, default=20)
    parser.add_argument("--board", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / ".local" / "load-users.json"))
    args = parser.parse_args()
    department = Department.objects.filter(schema_name=args.schema).first()
    if department is None:
        sys.exit(f"No department '{args.schema}': run `make seed` (or `make run` once) first.")
    host = department.domains.filter(is_primary=True).values_list("domain", flat=True).first()
    with tenant_context(department):
        residents = []
        for user in User.objects.filter(role__in=[Role.RESIDENT, Role.BUSINESS], email__startswith="owner"):
            cameras = [str(c) for c in Camera.objects.filter(site__owner=user).values_list("public_id", flat=True)]
            if cameras:
                residents.append({"email": user.email, "password": DEMO_PASSWORD, "cameras": cameras})
        centre = Camera.objects.filter(site__department_owned=False).values_list("site__location", flat=True).first()
        if not residents or centre is None:
            sys.exit(f"'{args.schema}' has no demo owners with cameras: run `make seed` first.")
        assert isinstance(centre, Point)
        officers = []
        for number in range(1, args.officers + 1):
            user, secret = staff(f"load-officer-{number:02d}@load.example.org", Role.OFFICER, f"L-{number:02d}")
            token = api_token_issue(user=user, name="load test").raw
            actor = access.Actor(user=user, mfa=True, session_hash="l" * 64, ip="127.0.0.1", user_agent="locust")
            purpose = access.purpose_declare(
                actor=actor, case_number=f"LOAD-{number}", category="property_crime", text="Load test of the search"
            )
            officers.append(
                {
                    "email": user.email,
                    "password": DEMO_PASSWORD,
                    "totp": secret,
                    "token": token,
                    "purpose": str(purpose.public_id),
                }
            )
        board = []
        for number in range(1, args.board + 1):
            user, secret = staff(f"load-board-{number:02d}@load.example.org", Role.OVERSIGHT, "")
            board.append({"email": user.email, "password": DEMO_PASSWORD, "totp": secret})
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "host": host,
                "centre": {"lat": centre.y, "lon": centre.x},
                "residents": residents,
                "officers": officers,
                "board": board,
            },
            indent=1,
        )
    )
    out.chmod(0o600)
    print(f"{len(residents)} residents, {len(officers)} officers, {len(board)} board members of {host} -> {out}")


if __name__ == "__main__":
    main()
