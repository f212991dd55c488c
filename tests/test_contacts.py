"""Contact details in free text: found in the partners' own formats, and nothing else is taken for one."""

from __future__ import annotations

import pytest

from coopwork.contacts import contact_kind, find_contacts, mask, normalise_phone, regions_for

PHONES = [
    "347 123 4567",               # Italian mobile
    "+39 347 1234567",
    "0721 234 567",               # Romanian mobile
    "06 30 123 4567",             # Hungarian mobile
    "06-30/123-4567",
    "912 345 678",                # Portuguese mobile
    "621 123 456",                # Luxembourg mobile
    "0151 23456789",              # German mobile
    "06 12 34 56 78",             # French
    "01.23.45.67.89",
    "+33 (0)6 12 34 56 78",
    "0033 6 12 34 56 78",
    "+352 26 12 34 56",           # a Luxembourg fixed line, with its country code
    "+44 20 7946 0958",
]
NOT_CONTACTS = [
    "en 2019 puis en 2023", "2023-2024", "le 2024-01-15", "le 12/03/2024 à 14:30",
    "du 01.02.2024 au 03.04.2025",
    "budget 12000 €", "1 500 000 €", "15 000 000 euros", "2 350 000 000 €", "350 000 000 €", "32 500,00 €",
    "EUR 250000", "40 000 000 habitants", "75011 Paris", "CP 1050 Ixelles", "note 13.5/20", "0,5 %",
    "SIRET 362 521 879 00034", "SIRET 36252187900034", "SIREN 123 456 789", "TVA FR 40 303 265 045",
    "IBAN FR76 3000 6000 0112 3456 7890 189", "ISBN 978-2-07-036822-8", "RNA W751234567", "code APE 9499Z",
    "N° 2024-123456", "version 1.2.3", "à 12:30:45", "GPS 45.7640, 4.8357", "-6.955502 39.12 0 0",
    "12345678901234", "123456789", "1234567890",
]


@pytest.mark.parametrize("number", PHONES)
def test_phone_numbers_in_the_partners_formats_are_found(number):
    text = f"Contact : {number}, merci."
    found = find_contacts(text)
    assert [(c.kind, c.text) for c in found] == [("phone", number)]
    assert mask(text) == "Contact : […], merci."
    assert contact_kind(number) == "phone"


@pytest.mark.parametrize("text", NOT_CONTACTS)
def test_years_amounts_postcodes_dates_and_company_numbers_are_not_contacts(text):
    assert find_contacts(text) == [] and mask(text) == text


@pytest.mark.parametrize(("text", "kind", "shown"), [
    ("marie@coopérative.fr", "email", "marie@coopérative.fr"),
    ("écrire à Léa.Dupont+coop@例え.jp", "email", "Léa.Dupont+coop@例え.jp"),
    ("info@xn--coopration-b7a.fr", "email", "info@xn--coopration-b7a.fr"),
    ("https://wa.me/33612345678", "phone", "33612345678"),
    ("tel:+40721234567", "phone", "+40721234567"),
    ("connexion depuis 192.168.10.24 hier", "ip", "192.168.10.24"),
    ("IPv6 2001:db8:85a3::8a2e:370:7334", "ip", "2001:db8:85a3::8a2e:370:7334"),
])
def test_e_mails_with_accented_domains_messaging_links_and_ip_addresses(text, kind, shown):
    assert [(c.kind, c.text) for c in find_contacts(text)] == [(kind, shown)]


def test_not_an_ip_address():
    assert find_contacts("300.1.2.3, v1.2.3.4.5, 10:30:00") == []


def test_one_number_one_key_however_it_is_written():
    regions = ("IT", "HU", "FR")
    assert normalise_phone("347 123 4567", regions) == normalise_phone("+39 347 123 4567", regions) \
        == normalise_phone("0039 347 1234567", regions) == "00393471234567"
    assert normalise_phone("06-30/123-4567", ("HU",)) == normalise_phone("+36 30 123 4567") == "0036301234567"
    assert normalise_phone("+33 6 12 34 56 78") == normalise_phone("06.12.34.56.78") == "0612345678"


def test_the_regions_of_the_survey_languages_come_first():
    assert regions_for(["ro"])[:2] == ("RO", "MD")
    assert set(regions_for([])) == {"FR", "IT", "RO", "HU", "PT", "LU", "DE"}
    # a number valid in two regions takes the key of the first one
    assert find_contacts("06 30 123 4567", ("HU", "IT"))[0].key.startswith("0036")
