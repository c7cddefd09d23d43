"""Registration numbers normalise so that the same number, however published, compares equal."""

from __future__ import annotations

from totalplace.link.identifiers import normalise_ids


def test_vat_numbers_in_any_published_format_are_the_nine_digits():
    published = [
        "GB386115978",
        "gb 386 1159 78",
        "386115978",
        "GB 386-1159-78",
        "GB386115978001",  # a branch trader's 12 digits
        "GB0386115978",  # zero-padded
    ]
    assert normalise_ids(vat=published)["vat"] == ["386115978"] * len(published)


def test_vat_placeholders_and_junk_are_no_number():
    published = ["NA", "N/A", "n/a", "", None, "None", "0", "000000000", "123456789", "GB28165358"]
    assert normalise_ids(vat=published)["vat"] == [None] * len(published)


def test_government_department_vat_numbers_keep_their_prefix():
    assert normalise_ids(vat=["GD123", "gb ha567"])["vat"] == ["GD123", "HA567"]


def test_company_numbers_are_eight_characters_zero_padded():
    published = ["8528940", "08528940", "08 528 940", " 8528940 "]
    assert normalise_ids(company=published)["company"] == ["08528940"] * 4


def test_scottish_and_northern_irish_company_numbers_keep_their_prefix():
    result = normalise_ids(company=["SC 12345", "sc012345", "ni-601234", "OC301234"])
    assert result["company"] == ["SC012345", "SC012345", "NI601234", "OC301234"]


def test_charity_numbers_drop_a_subsidiary_suffix_and_keep_scottish_prefixes():
    result = normalise_ids(
        charity=["1012345", "1012345-1", "Registered charity no 1012345", "SC012345", "NA", "0"]
    )
    assert result["charity"] == ["1012345", "1012345", "1012345", "SC012345", None, None]
