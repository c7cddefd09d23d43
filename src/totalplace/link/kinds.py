"""What kind of payee a name is: a public body, an individual, a local institution.

Each function returns a DuckDB SQL expression over the normalised name columns of
:mod:`totalplace.link.names` (``match_name``, ``tokens``) and the published name in
upper case (``raw_upper``). They are rules, not a model: every one can be read here.

* **Public bodies** -- councils, NHS bodies, police, fire, combined authorities and
  government departments and agencies -- from the official lists in
  ``data/public_bodies.csv`` (ONS district, county, police and fire areas; NHS ODS
  trusts, CCGs/sub-ICBs; ONS ICBs; rebuilt by ``tests/link/build_public_bodies.py``),
  abbreviated NHS trusts matched to that list ("Uni Hospital of South Mcr"), and name
  patterns (university and teaching hospitals, "... Foundation Trust", waste and
  national park authorities ...). Payments to them are transfers the count excludes;
  two public bodies of different kinds or areas are never one supplier (conflicts.py).
* **Firms** -- "& Co", "& Sons", LLP, Solicitors, Partners, Associates, Chartered ...
  in the *published* name (normalisation drops "& Co"): never individuals.
* **Individuals** -- a title (MR, MRS, DR ...) and no organisation word, or a payee
  on one-off supplier accounts (Oxford's ``20000000_46283317``) with no organisation
  word: kept apart, never matched to anything. A plain name that starts with a common
  given name ("KIRSTY BALDWIN", :mod:`totalplace.link.forenames`) and has no
  organisation word may be a person or a sole trader: it can match an organisation's
  name but never another partner's personal name.
* **Local institutions** -- schools, nurseries, care homes, surgeries, pharmacies,
  churches, scout groups, community centres without a legal form: there is a
  "St Mary's Catholic Primary School" in most towns, so such names only match across
  partners that serve a common district.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib.resources import files

from totalplace.link.forenames import FORENAMES
from totalplace.link.words import GENERIC_WORDS, LEGAL_FORMS, sql_list, stem

#: (body type, regex on match_name) -- the first that matches names the type.
PUBLIC_BODY_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "nhs",
        r"\bNHS\b|\b(CLINICAL COMMISSIONING GROUP|INTEGRATED CARE BOARD)\b|\b(CCG|ICB)$"
        r"|\bAMBULANCE SERVICE\b|\bUNIVERSITY HOSPITALS?\b|\bTEACHING HOSPITALS?\b"
        r"|\bHOSPITALS? (FOUNDATION )?TRUST\b|\bFOUNDATION TRUST$|\bPRIMARY CARE TRUST\b"
        r"|\b(GENERAL|ROYAL) INFIRMARY\b|\bMENTAL HEALTH (FOUNDATION )?TRUST\b",
    ),
    (
        "police",
        r"\bPOLICE AND CRIME COMMISSIONER\b|\bCONSTABULARY\b|\bPOLICE (AUTHORITY|FORCE)\b"
        r"|\bPOLICE$|^POLICE SCOTLAND\b|^METROPOLITAN POLICE\b",
    ),
    (
        "fire",
        r"\bFIRE AND RESCUE (SERVICE|AUTHORITY)\b|\bFIRE AND RESCUE$|\bFIRE AUTHORITY\b"
        r"|\bFIRE BRIGADE\b|\bFIRE AND EMERGENCY PLANNING AUTHORITY\b",
    ),
    (
        "council",
        r"\bCOUNCIL$|\bCOMBINED AUTHORITY\b|^GREATER LONDON AUTHORITY\b"
        r"|\bWASTE (DISPOSAL )?AUTHORITY\b|\bNATIONAL PARK AUTHORITY\b"
        r"|\bCITY OF LONDON CORPORATION\b|^CORPORATION OF LONDON\b",
    ),
    (
        "government",
        r"^(DEPARTMENT (FOR|OF)|MINISTRY OF|HM|HER MAJESTY|HIS MAJESTY|HMRC|HMCTS|HMPPS)\b"
        r"|^(DWP|DVLA|DVSA|DEFRA|DHSC|MOJ|FCDO|HOME OFFICE|CABINET OFFICE|LAND REGISTRY"
        r"|COMPANIES HOUSE|OFSTED|ENVIRONMENT AGENCY|NATURAL ENGLAND|HISTORIC ENGLAND|HOMES ENGLAND"
        r"|NATIONAL HIGHWAYS|HIGHWAYS ENGLAND|SPORT ENGLAND|CROWN PROSECUTION SERVICE"
        r"|INSOLVENCY SERVICE|ELECTORAL COMMISSION|VALUATION OFFICE AGENCY|LEGAL AID AGENCY"
        r"|STUDENT LOANS|OFFICE FOR NATIONAL STATISTICS|PUBLIC HEALTH ENGLAND"
        r"|UK HEALTH SECURITY AGENCY|CARE QUALITY COMMISSION|HEALTH AND SAFETY EXECUTIVE"
        r"|INFORMATION COMMISSIONER|DISCLOSURE AND BARRING SERVICE|JOBCENTRE PLUS)\b",
    ),
    (
        "transport",
        r"^TRANSPORT FOR (LONDON|GREATER MANCHESTER|WEST MIDLANDS|THE NORTH)\b"
        r"|\bPASSENGER TRANSPORT EXECUTIVE\b|^(TFL|TFGM|NEXUS)$",
    ),
)

#: Words that stop a "council" or "police" pattern naming a public body.
PUBLIC_BODY_EXCEPTIONS = (
    r"\b(YOUTH|STUDENT|STUDENTS|SCHOOL|MOSQUE|MOSQUES|FAITH|INTERFAITH|CHURCH|WOMEN|TENANT"
    r"|TENANTS|RESIDENT|RESIDENTS|FEDERATION|MUTUAL|CREDIT UNION|BENEVOLENT|CHARITABLE|SPORT"
    r"|SPORTS|CLUB|BAND|MEMORIAL|TREATMENT|SUPERINTENDENT|SUPERINTENDENTS"
    # private hospital groups and hospital charities named like NHS bodies
    r"|SPIRE|BMI|NUFFIELD|PRIORY|CYGNET|RAMSAY|HCA|CHARITY|CHARITIES|LEAGUE OF FRIENDS)\b"
)

#: Titles that mark a personal name.
TITLES: tuple[str, ...] = (
    "MR",
    "MRS",
    "MS",
    "MISS",
    "MX",
    "DR",
    "PROF",
    "PROFESSOR",
    "REV",
    "REVD",
    "SIR",
    "DAME",
    "LADY",
    "LORD",
    "CLLR",
    "COUNCILLOR",
)

#: Words that say a name is an organisation's, beyond legal forms and generic words.
ORGANISATION_WORDS: tuple[str, ...] = (
    *LEGAL_FORMS,
    *GENERIC_WORDS,
    "HOTEL",
    "INN",
    "RESTAURANT",
    "CAFE",
    "SHOP",
    "STORE",
    "STORES",
    "MARKET",
    "GARAGE",
    "MOTOR",
    "MOTORS",
    "CARS",
    "COACHES",
    "BUILDER",
    "BUILDERS",
    "ROOFING",
    "SCAFFOLDING",
    "JOINERY",
    "SIGN",
    "SIGNS",
    "PRESS",
    "NEWS",
    "TIMES",
    "MAGAZINE",
    "RADIO",
    "STUDIO",
    "STUDIOS",
    "PHOTOGRAPHY",
    "MUSIC",
    "DANCE",
    "FILM",
    "FILMS",
    "GALLERY",
    "MUSEUM",
    "LIBRARY",
    "FARM",
    "ZOO",
    "CHURCH",
    "MOSQUE",
    "TEMPLE",
    "CHAPEL",
    "INSTITUTE",
    "FEDERATION",
    "UNION",
    "LEAGUE",
    "FC",
    "AFC",
    "RFC",
    "TEAM",
    "CHOIR",
    "FORUM",
    "ALLIANCE",
    "COOPERATIVE",
    "COOP",
    "AGENTS",
    "LETTINGS",
    "DIGITAL",
    "SOFTWARE",
    "TECH",
    "DIRECT",
    "ONLINE",
    "GLOBAL",
    "WORLD",
    "LODGE",
    "MANOR",
    "COURT",
    "COMMISSIONER",
    "COMMISSION",
    "CHAMBERS",
    "ARCHITECTS",
    "ACCOUNTANTS",
    "SURVEYORS",
    "AUCTIONEERS",
    "VETS",
    "VETERINARY",
    "DENTAL",
    "OPTICIANS",
    "LABORATORY",
    "LABORATORIES",
    "EVENTS",
    "CATERERS",
    "TRUSTEES",
    "SCOUT",
    "SCOUTS",
    "GUIDES",
    "ALLOTMENT",
    "PLAYGROUP",
    "PRESCHOOL",
    "CHILDCARE",
    "FOSTERING",
    "ADOPTION",
    "TRADE",
    "TRADES",
    "DISTRIBUTION",
    "LOGISTICS",
    "WASTE",
    "RECYCLING",
    "SKIP",
    "SKIPS",
    "CLEANERS",
    "PLANT",
    "TOOLS",
    "TYRES",
    "PARTS",
    "FUELS",
    "OIL",
    "OILS",
    "BAKERY",
    "BUTCHERS",
    "DAIRY",
    "FLORIST",
    "FLOWERS",
    "PETS",
    "FITNESS",
    "GYM",
    "YOGA",
    "ACTION",
    "AID",
    "FRIENDS",
    "PROJECT",
)

#: Establishment words of local institutions (in the normalised name).
LOCAL_INSTITUTION_PATTERN = (
    r"\b(SCHOOL|PRIMARY|INFANT|INFANTS|JUNIOR|ACADEMY|NURSERY|NURSERIES|PRE SCHOOL|PRESCHOOL"
    r"|PLAYGROUP|PLAYSCHOOL|CHILDMINDING|CHILDMINDER|CARE HOME|NURSING HOME|RESIDENTIAL HOME"
    r"|REST HOME|RETIREMENT HOME|SURGERY|MEDICAL PRACTICE|MEDICAL CENTRE|HEALTH CENTRE|PHARMACY"
    r"|CHEMIST|DENTAL PRACTICE|CHURCH|PARISH|CHAPEL|MOSQUE|TEMPLE|SCOUT|SCOUTS|GUIDES|BROWNIES"
    r"|ALLOTMENT|COMMUNITY CENTRE|COMMUNITY ASSOCIATION|VILLAGE HALL|TENANTS|RESIDENTS"
    r"|FRIENDS OF|CITIZENS ADVICE)\b"
)

#: Supplier ids that mark a one-off payee account (Oxford: ``20000000_46283317``).
ONE_OFF_ID_PATTERN = r"^[0-9]+_[0-9]+$"


def _sql_list(words: tuple[str, ...] | list[str]) -> str:
    return sql_list(sorted(set(words)))


def _stems(words: tuple[str, ...]) -> list[str]:
    return sorted({w for w in words} | {stem(w) for w in words})


def legal_form_sql(raw_upper: str = "raw_upper") -> str:
    """Return SQL: does the published name carry a legal form (LTD, PLC, LLP, CIC ...)?"""
    return (
        f"regexp_matches({raw_upper}, "
        r"'\b(LIMITED|LTD|PLC|LLP|LLC|CIC|CIO|INC|INCORPORATED|GMBH|L\.?T\.?D)\b|[A-Z]{3}LTD$')"
    )


#: Forms of a firm's name, seen in the published name before normalisation drops them:
#: "Roger Hannah & Co", "Smith and Sons", "Brown LLP", "X Solicitors", "Y Chartered
#: Surveyors". A name with one is a firm, never an individual.
FIRM_FORM_PATTERN = (
    r"(&|\bAND|\+)\s*(CO|COMPANY|SONS?|SON|PARTNERS|ASSOCIATES|DAUGHTERS?)\b\.?"
    r"|\b(LLP|SOLICITORS?|PARTNERS|PARTNERSHIP|ASSOCIATES|CHARTERED|ACCOUNTANTS|SURVEYORS"
    r"|ESTATE AGENTS|ARCHITECTS|BARRISTERS|CHAMBERS|NOTARIES|AUCTIONEERS|& CO)\b"
)


def firm_form_sql(raw_upper: str = "raw_upper") -> str:
    """Return SQL: does the published name carry a firm's form (& CO, LLP, SOLICITORS ...)?"""
    return f"regexp_matches({raw_upper}, '{FIRM_FORM_PATTERN}')"


def public_body_pattern_sql(match_name: str = "match_name") -> str:
    """Return SQL naming the public-body type a normalised name's pattern says, or NULL."""
    cases = "\n".join(
        f"        WHEN regexp_matches({match_name}, '{pattern}') THEN '{kind}'"
        for kind, pattern in PUBLIC_BODY_PATTERNS
    )
    return f"""(CASE
        WHEN regexp_matches({match_name}, '{PUBLIC_BODY_EXCEPTIONS}') THEN NULL
{cases}
        ELSE NULL END)"""


def has_organisation_word_sql(tokens: str = "tokens") -> str:
    """Return SQL: does any word of the name say it is an organisation's?"""
    return f"len(list_intersect({tokens}, {_sql_list(_stems(ORGANISATION_WORDS))})) > 0"


def titled_person_sql(tokens: str = "tokens", raw_upper: str = "raw_upper") -> str:
    """Return SQL: a title and at least one more word, no organisation word, no legal form."""
    return (
        f"(len({tokens}) >= 2 AND list_contains({_sql_list(TITLES)}, {tokens}[1]) "
        f"AND NOT len(list_intersect({tokens}[2:], {_sql_list(_stems(ORGANISATION_WORDS))})) > 0 "
        f"AND NOT {legal_form_sql(raw_upper)} AND NOT {firm_form_sql(raw_upper)})"
    )


def plain_person_name_sql(
    tokens: str = "tokens", raw_upper: str = "raw_upper", match_name: str = "match_name"
) -> str:
    """Return SQL: a common given name then one to three plain words, none an organisation's."""
    return (
        f"(len({tokens}) BETWEEN 2 AND 4 "
        f"AND list_contains({_sql_list(sorted(FORENAMES))}, split_part({match_name}, ' ', 1)) "
        f"AND list_bool_and(list_transform({tokens}, w -> regexp_full_match(w, '[A-Z]+'))) "
        f"AND NOT {has_organisation_word_sql(tokens)} AND NOT {legal_form_sql(raw_upper)} "
        f"AND NOT {firm_form_sql(raw_upper)})"
    )


def local_institution_sql(match_name: str = "match_name", raw_upper: str = "raw_upper") -> str:
    """Return SQL: an establishment (school, care home, surgery ...) with no legal form."""
    return (
        f"(regexp_matches({match_name}, '{LOCAL_INSTITUTION_PATTERN}') "
        f"AND NOT {legal_form_sql(raw_upper)})"
    )


@lru_cache(maxsize=1)
def public_body_reference() -> tuple[tuple[str, str, str], ...]:
    """Return the shipped official list of public bodies as (name, body type, code)."""
    text = (
        files("totalplace")
        .joinpath("link")
        .joinpath("data")
        .joinpath("public_bodies.csv")
        .read_text("utf-8")
    )
    rows = csv.DictReader(io.StringIO(text, newline=""))
    return tuple((r["name"], r["body_type"], r["code"]) for r in rows)
