#!/usr/bin/env python3
"""scripts/police-api-client-check.py — the PyPI client police-api-client 1.2.2 against Peel.

Usage: python3 scripts/police-api-client-check.py --base-url http://127.0.0.1:8099/data-api/

Run by scripts/police-api-client-check, which starts `peel serve` with archive-2024 and the
neighbourhood fixture imported. Calls every method of police_api.PoliceAPI (and the lazy
attributes of the objects they return) and checks the answers against the 2024-01 Leicester
examples of the data.police.uk documentation. Prints one line per check; exits 1 if any failed.
"""
import argparse
import sys
import traceback

from police_api import PoliceAPI

parser = argparse.ArgumentParser()
parser.add_argument("--base-url", required=True)
args = parser.parse_args()
api = PoliceAPI(base_url=args.base_url)

results = []


def check(name):
    def wrap(fn):
        try:
            detail = fn()
            results.append(True)
            print(f"OK {name}" + (f": {detail}" if detail else ""))
        except Exception as error:  # noqa: BLE001 - report every failure and carry on
            results.append(False)
            print(f"FAIL {name}: {error!r}")
            traceback.print_exc(limit=3)
        return fn
    return wrap


@check("get_forces")
def _():
    forces = api.get_forces()
    ids = [f.id for f in forces]
    assert "leicestershire" in ids and "btp" not in ids, ids
    return f"{len(forces)} forces"


@check("get_force and its details")
def _():
    force = api.get_force("leicestershire")
    assert force.name == "Leicestershire Police", force.name
    assert force.telephone == "101", force.telephone
    assert isinstance(force.engagement_methods, list)
    assert force.senior_officers == []
    return force.url


@check("get_dates and get_latest_date")
def _():
    dates = api.get_dates()
    assert api.get_latest_date() == "2024-04", api.get_latest_date()
    assert "2024-01" in dates, dates
    return ", ".join(dates)


@check("get_crime_categories and get_crime_category")
def _():
    categories = api.get_crime_categories("2024-01")
    assert "violent-crime" in [c.id for c in categories]
    assert api.get_crime_category("violent-crime", "2024-01").name == "Violence and sexual offences"
    return f"{len(categories)} categories"


@check("get_crimes_point: 1,477 crimes within a mile of the documented Leicester point")
def _():
    crimes = api.get_crimes_point(52.629729, -1.131592, date="2024-01")
    assert len(crimes) == 1477, len(crimes)
    theft = api.get_crimes_point(52.629729, -1.131592, date="2024-01", category="other-theft")
    assert theft and all(c.category.id == "other-theft" for c in theft)
    return f"{len(crimes)} crimes, {len(theft)} other theft"


@check("get_crimes_area (POST poly) with the documented polygon")
def _():
    crimes = api.get_crimes_area([(52.268, 0.543), (52.794, 0.238), (52.130, 0.478)], date="2024-01")
    assert crimes
    return f"{len(crimes)} crimes"


@check("get_crimes_location: the two crimes at Marquis Street")
def _():
    crimes = api.get_crimes_point(52.629831, -1.132503, date="2024-01")
    marquis = next(c for c in crimes if c.persistent_id.startswith("bb06e351"))
    at_location = api.get_crimes_location(marquis.location.id, date="2024-01")
    ids = sorted(c.persistent_id[:8] for c in at_location)
    assert ids == ["4f8e06f8", "bb06e351"], ids
    assert marquis.location.street["name"] == "On or near Marquis Street"
    assert marquis.location.latitude == "52.629831"
    assert marquis.outcome_status.category.name == "Unable to prosecute suspect"
    return f"location {marquis.location.id}"


@check("get_crimes_no_location: the documented bicycle theft")
def _():
    crimes = api.get_crimes_no_location("leicestershire", date="2024-01")
    assert len(crimes) == 232, len(crimes)
    bikes = api.get_crimes_no_location("leicestershire", date="2024-01", category="bicycle-theft")
    # The client keeps only id, context and month of a crime with no location.
    assert 1 <= len(bikes) < len(crimes) and all(c.month == "2024-01" for c in bikes), bikes
    return f"{len(crimes)} crimes"


@check("get_crime and its outcomes")
def _():
    crime = api.get_crime("dd6e56f90d1bdd7bc7482af17852369f263203d9a688fac42ec53bf48485d8f1")
    assert crime.category.id == "public-order", crime.category
    assert crime.location.street["name"] == "On or near Vaughan Street"
    assert isinstance(crime.outcomes, list)
    return str(crime)


@check("get_neighbourhoods, get_neighbourhood and its team, events, priorities, boundary")
def _():
    neighbourhoods = api.get_neighbourhoods("leicestershire")
    assert [n.id for n in neighbourhoods] == ["NC04"]
    n = api.get_neighbourhood("leicestershire", "NC04")
    assert n.name == "City Centre" and n.population == 12000, (n.name, n.population)
    assert n.officers[0].rank == "Sgt"
    assert n.events[0].start_date.year == 2024
    assert n.priorities[0].issue_date.year == 2024
    assert len(n.boundary) == 5
    return f"{n.name}: {len(n.officers)} officer, {len(n.events)} event, {len(n.priorities)} priority"


@check("the neighbourhood's crimes (POST of its boundary)")
def _():
    crimes = api.get_neighbourhood("leicestershire", "NC04").crimes
    assert crimes
    return f"{len(crimes)} crimes"


@check("locate_neighbourhood")
def _():
    n = api.locate_neighbourhood(52.63, -1.13)
    assert n is not None and n.id == "NC04" and n.force.id == "leicestershire"
    assert api.locate_neighbourhood(51.5, -0.12) is None
    return str(n)


print(f"police-api-client: {sum(results)} of {len(results)} checks OK")
sys.exit(0 if all(results) else 1)
