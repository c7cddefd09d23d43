"""A second column naming the service is read as the department, not dropped.

Publishers give the service twice at different grains: a service label and a service
code (Harrogate), a directorate and a SeRCOP service category (North Tyneside), a
directorate and a service area (Newcastle). The best-named column is the service area;
the next is kept as the department, which classification reads after it.
"""

from __future__ import annotations

import pytest

from totalplace.ingest.header_map import map_header


@pytest.mark.parametrize(
    ("header", "service_area", "department"),
    [
        (
            "Body Name,Expenditure Category,Service Label,Service Code,Payment Date,"
            "Supplier Name,Transaction No.,Net Amount",
            "Service Label",
            "Service Code",
        ),
        (
            "Payment Date,Transaction Number,Net Amount,Supplier (Beneficiary) Name,"
            "Directorate / Service Where Expenditure Incurred,Service Category Label,"
            "Service Category URI,SeRCOP Expenditure Category",
            "Directorate / Service Where Expenditure Incurred",
            "Service Category Label",
        ),
        (
            "Directorate,Service Area,Group Description,Paid Date,Supplier Name,Cost Centre Name,"
            "Total (excludes VAT)",
            "Service Area",
            "Directorate",
        ),
    ],
    ids=["label-and-code", "directorate-and-sercop", "three-service-columns"],
)
def test_the_second_service_column_is_the_department(header, service_area, department):
    described = map_header(header.split(",")).describe()
    assert (described["service_area"], described["department"]) == (service_area, department)


def test_one_service_column_leaves_the_department_unread():
    described = map_header(["Payment Date", "Supplier Name", "Service Area", "Amount"]).describe()
    assert described["service_area"] == "Service Area" and "department" not in described


def test_a_department_column_of_its_own_is_kept():
    cells = [
        "Payment Date",
        "Supplier Name",
        "Service Area",
        "Directorate",
        "Department Area",
        "Amount",
    ]
    assert map_header(cells).describe()["department"] == "Department Area"
