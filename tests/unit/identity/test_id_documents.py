"""Identity documents: checked field by field, and never showing the SSN, nor repeating it."""

from __future__ import annotations

from datetime import date

import pytest
from kinlink_identity.domain.id_verification import IdDocuments
from kinlink_identity.service_layer.submit_id_verification import SubmitIdVerification
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.testing import refused

TODAY = date(2026, 11, 25)
ADDRESS = {
    "line1": "17 Quillfeather Lane",
    "line2": "",
    "city": "Peoria",
    "region": "IL",
    "postal_code": "61602",
    "country": "us",
}


def documents(**changes: str) -> IdDocuments:
    fields = {
        "legal_first_name": "Marguerite",
        "legal_last_name": "Oyelaran-Szabo",
        "date_of_birth": "1979-03-14",
        "ssn": "518-43-7026",
        **changes,
    }
    return IdDocuments.submitted(address=ADDRESS, today=TODAY, **fields)


def test_documents_are_checked_and_normalized() -> None:
    submitted = documents(legal_first_name="  Marguerite ")
    assert submitted.legal_first_name == "Marguerite"
    assert submitted.date_of_birth == date(1979, 3, 14)
    assert submitted.address["country"] == "US"
    assert submitted.ssn == "518437026"
    assert documents(ssn="518 43 7026").ssn == documents(ssn="518437026").ssn == "518437026"


def test_documents_never_show_the_ssn_nor_the_rest() -> None:
    submitted = documents()
    for shown in (repr(submitted), str(submitted), f"{submitted}", repr([submitted])):
        for secret in ("518437026", "518-43-7026", "7026", "Marguerite", "1979", "Quillfeather"):
            assert secret not in shown


def test_the_command_does_not_show_the_ssn() -> None:
    command = SubmitIdVerification(
        "account-1", "Marguerite", "Oyelaran-Szabo", "1979-03-14", ADDRESS, "518-43-7026"
    )
    shown = repr(command)
    assert "account-1" in shown
    for secret in ("518-43-7026", "Marguerite", "1979", "Quillfeather"):
        assert secret not in shown


@pytest.mark.parametrize(
    "ssn",
    [
        "",
        "51843702",  # eight digits
        "5184370261",  # ten
        "518-43-702a",
        "000-43-7026",  # area 000, 666 and 9xx are never issued
        "666-43-7026",
        "900-43-7026",
        "987-65-4321",
        "518-00-7026",  # nor group 00
        "518-43-0000",  # nor serial 0000
    ],
)
def test_an_invalid_ssn_is_refused_without_being_repeated(ssn: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        documents(ssn=ssn)
    assert caught.value.code == "ssn_invalid"
    # No digit at all: not the number, nor any part of it.
    for shown in (str(caught.value), repr(caught.value.args)):
        assert not any(character.isdigit() for character in shown)


def test_the_holder_must_be_an_adult() -> None:
    assert documents(date_of_birth="2008-11-25").date_of_birth == date(2008, 11, 25)
    with refused(InvalidArgument, "under_age"):
        documents(date_of_birth="2008-11-26")  # eighteen tomorrow


@pytest.mark.parametrize("born", ["", "14/03/1979", "1979-02-30", "2027-01-01"])
def test_the_date_of_birth_must_be_a_past_iso_date(born: str) -> None:
    with refused(InvalidArgument, "date_of_birth_invalid"):
        documents(date_of_birth=born)


@pytest.mark.parametrize("name", ["legal_first_name", "legal_last_name"])
def test_the_legal_name_is_required(name: str) -> None:
    with refused(InvalidArgument, f"{name}_missing"):
        documents(**{name: "  "})


def test_the_address_must_be_complete() -> None:
    with refused(InvalidArgument, "address_incomplete"):
        IdDocuments.submitted(
            "Marguerite",
            "Oyelaran-Szabo",
            "1979-03-14",
            {**ADDRESS, "city": ""},
            "518437026",
            TODAY,
        )
