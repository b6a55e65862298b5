"""The demo departments: names, hosts and rough city boundaries (lon, lat)."""

from typing import TypedDict

from django.contrib.gis.geos import MultiPolygon, Polygon

DEMO_PASSWORD = "porchlight-demo"  # noqa: S105 (printed demo login, never production)
OPERATOR_EMAIL = "operator@porchlight.example.org"


class DemoDepartment(TypedDict):
    name: str
    schema: str
    domain: str
    boundary: list[tuple[float, float]]
    cameras: int


DEMO_DEPARTMENTS: list[DemoDepartment] = [
    {
        "name": "Rialto Police Department",
        "schema": "rialto",
        "domain": "rialto.localhost",
        "cameras": 300,
        # Rialto, California: roughly Cedar Ave to Riverside Ave, Santa Ana River to the foothills.
        "boundary": [
            (-117.419, 34.163),
            (-117.345, 34.163),
            (-117.345, 34.125),
            (-117.335, 34.095),
            (-117.345, 34.056),
            (-117.400, 34.056),
            (-117.419, 34.080),
            (-117.419, 34.163),
        ],
    },
    {
        "name": "Fontana Police Department",
        "schema": "fontana",
        "domain": "fontana.localhost",
        "cameras": 60,
        # Fontana, California: west of Rialto, from the I-10 corridor to the foothills.
        "boundary": [
            (-117.555, 34.175),
            (-117.420, 34.175),
            (-117.420, 34.045),
            (-117.525, 34.045),
            (-117.555, 34.070),
            (-117.555, 34.175),
        ],
    },
]

DEMO_ROLES = ["resident", "business", "officer", "supervisor", "dept_admin", "oversight"]


def demo_boundary(points: list[tuple[float, float]]) -> MultiPolygon:
    return MultiPolygon(Polygon(points), srid=4326)


def demo_email(role: str, schema: str) -> str:
    return f"{role.replace('_', '-')}@{schema}.example.org"
