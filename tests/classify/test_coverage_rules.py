"""Rules that raise theme coverage everywhere: general UK service words, not one publisher's.

A second column naming the service is read as the department (see
tests/ingest/test_second_service_column.py); the department rules know the SeRCOP
service categories and the usual council service names, so a line whose service area
says only "Community" still finds its theme. Names that join two themes, or a team
that serves every service, are left unthemed rather than guessed.
"""

from __future__ import annotations

import pytest

from tests.classify.test_rules_travel import classify_lines


def _theme(**line: str) -> str | None:
    [row] = classify_lines([line])
    return row["theme"]


@pytest.mark.parametrize(
    ("department", "theme"),
    [
        # SeRCOP service categories, as a "Service Category Label" column gives them.
        ("Adult Social Care", "Health and wellbeing"),
        ("Children's & Education Services", "Children and families"),
        ("Housing Services", "Housing and homelessness"),
        ("Public Health", "Health and wellbeing"),
        ("Cultural & Related Services", "Culture and leisure"),
        ("Environmental & Regulatory Services", "Place and environment"),
        ("Planning Services", "Place and environment"),
        ("Highways & Transport Services", "Transport and highways"),
        ("Police Services", "Community safety"),
        ("Central Services", "Corporate and democratic"),
        # Service names councils use for the same services.
        ("Parks & Street Cleansing", "Place and environment"),
        ("Bereavement Services", "Place and environment"),
        ("Development Control", "Place and environment"),
        ("Licensing", "Place and environment"),
        ("Car Parking", "Transport and highways"),
        ("Homelessness", "Housing and homelessness"),
        ("Economic Development", "Worklessness and skills"),
        ("Libraries  Arts & Heritage", "Culture and leisure"),
        ("Jcs For People With Learning Disabilities", "Health and wellbeing"),
    ],
)
def test_a_service_named_only_in_the_department_gets_its_theme(department, theme):
    assert _theme(service_area="Community", department=department, expense_type="Premises") == theme


@pytest.mark.parametrize(
    ("department", "not_theme"),
    [
        ("Resources and Housing", "Housing and homelessness"),  # corporate resources and housing
        ("Central Transport", "Transport and highways"),  # the fleet, serving every service
        ("Fleet Services", "Transport and highways"),
    ],
)
def test_departments_that_name_no_single_service_are_not_given_its_theme(department, not_theme):
    theme = _theme(service_area="Area Office", department=department, expense_type="Premises")
    assert theme != not_theme
    if department == "Resources and Housing":
        assert theme is None  # neither corporate nor housing: either may be right


def test_the_service_area_still_wins_over_the_department():
    line = {"service_area": "Children's Homes", "department": "Adult Social Care"}
    assert _theme(**line) == "Children and families"


@pytest.mark.parametrize(
    ("service_area", "theme"),
    [
        ("Aire Valley Homes Leeds", "Housing and homelessness"),  # an arm's-length housing company
        ("Council Homes Repairs", "Housing and homelessness"),
        ("Social Services Pooled Budgets", "Health and wellbeing"),  # s75 pooled funds
        ("Better Care Fund", "Health and wellbeing"),
    ],
)
def test_service_areas_named_for_homes_and_pooled_budgets(service_area, theme):
    assert _theme(service_area=service_area) == theme


@pytest.mark.parametrize("service_area", ["Residential Care Homes", "Nursing Homes Team"])
def test_care_homes_are_not_housing(service_area):
    assert _theme(service_area=service_area) != "Housing and homelessness"


def test_payments_to_a_passenger_transport_body_are_transport_unless_a_levy():
    assert _theme(supplier_name="West Yorkshire Passenger Transport") == "Transport and highways"
    [levy] = classify_lines(
        [
            {
                "supplier_name": "West Yorkshire Passenger Transport Executive",
                "purpose": "Transport levy",
            }
        ]
    )
    assert levy["transfer"] == "Precept or levy"


@pytest.mark.parametrize(
    "purpose",
    ["Resurface Longford Athletics Track", "Wilson Playing Fields", "Sports Pitch Drainage"],
)
def test_sports_facilities_are_culture_and_leisure(purpose):
    assert _theme(purpose=purpose, expense_type="Capital") == "Culture and leisure"
