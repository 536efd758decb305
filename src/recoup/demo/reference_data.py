"""Reference tables for the demo portfolio: real cities, phone numbering plans, demo creditors.

Pure data, no Django and no I/O. A debtor's city decides everything about where they live: the
region code (US state, Australian state or territory, UK nation), a plausible postcode, the IANA
time zone and the phone prefixes of the area, so that a debtor in Perth is `Australia/Perth` with an
08 number and a debtor in Chicago is `America/Chicago` with a 312, 773 or 872 number. The tests
build numbers from every city's prefixes and check them with `phonenumbers`.

Postcode ranges and outward codes are real for the city but not every number in a range exists;
"plausible", not a postal database. Creditor and original-creditor names are invented.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    """A real city: where a synthetic debtor lives, and what follows from that."""

    country: str
    """ISO 3166-1 alpha-2 (GB for the United Kingdom)."""
    name: str
    region: str
    """US state (USPS code), AU state or territory, or UK nation (ISO 3166-2:GB: ENG, SCT, WLS, NIR)."""
    time_zone: str
    """The IANA time zone of the city."""
    landline_prefixes: tuple[str, ...]
    """Leading digits of the national significant number for fixed lines here (US: the area codes)."""
    weight: int
    """Relative share of debtors, about the population in thousands."""
    postcode_low: int = 0
    postcode_high: int = 0
    """US ZIP or AU postcode range (inclusive); unused in the UK."""
    outward_codes: tuple[str, ...] = ()
    """UK postcode districts of the city; the inward part is generated."""


@dataclass(frozen=True)
class PhonePlan:
    """How to build valid numbers in a country: E.164 = '+' + calling code + national number."""

    calling_code: str
    national_length: int
    """Digits in the national significant number (without the trunk 0)."""
    mobile_prefixes: tuple[str, ...]
    """Leading digits of mobile numbers; empty means mobiles use the city's area codes (NANP)."""
    nanp: bool = False
    """North American plan: after the area code comes an exchange NXX (no N11, no 555) and 4 digits."""


def _expand(prefix: str, digits: str = "23456789") -> tuple[str, ...]:
    """`prefix` followed by each of `digits`: UK local numbers never start with 0 or 1."""
    return tuple(prefix + digit for digit in digits)


def _range(low: int, high: int) -> tuple[str, ...]:
    return tuple(str(value) for value in range(low, high + 1))


# Crown dependency mobile blocks (07781, 07839, 07911 Guernsey; 07509, 07797, 07829, 07937 Jersey;
# 07524, 07624, 07924 Isle of Man) and 07457, which phonenumbers does not accept.
_GB_MOBILE_BLOCKS_LEFT_OUT = frozenset(
    {"7457", "7509", "7524", "7624", "7781", "7797", "7829", "7839", "7911", "7924", "7937"}
)

PHONE_PLANS: dict[str, PhonePlan] = {
    "US": PhonePlan(calling_code="1", national_length=10, mobile_prefixes=(), nanp=True),
    # Australian mobiles are 04xx xxx xxx; these 04xx blocks are allocated to carriers.
    "AU": PhonePlan(
        calling_code="61",
        national_length=9,
        mobile_prefixes=(
            *_range(400, 439),
            "447",
            "448",
            "449",
            "450",
            "451",
            "452",
            *_range(455, 459),
            *_range(466, 469),
            "470",
            *_range(472, 478),
            "480",
            "481",
            "482",
            *_range(484, 489),
            *_range(490, 494),
            "497",
            "498",
            "499",
        ),
    ),
    # UK mobiles are 07xxx xxxxxx; 070 (personal numbers) and 076 (pagers) are left out, and so
    # are the blocks of Guernsey, Jersey and the Isle of Man, which are not in the UK.
    "GB": PhonePlan(
        calling_code="44",
        national_length=10,
        mobile_prefixes=tuple(
            block
            for block in (*_range(7100, 7599), *_range(7710, 7909), *_range(7920, 7999))
            if block not in _GB_MOBILE_BLOCKS_LEFT_OUT
        ),
    ),
}

# Exchanges (NXX) a US number may use: 200-999 without service codes (N11), 555 (directory and
# fiction), 950 and 958/959 (carrier access and test) and 976 (premium).
NANP_EXCLUDED_EXCHANGES = frozenset({*(n * 100 + 11 for n in range(2, 10)), 555, 950, 958, 959, 976})
NANP_EXCHANGES: tuple[int, ...] = tuple(nxx for nxx in range(200, 1000) if nxx not in NANP_EXCLUDED_EXCHANGES)


def _us(name: str, state: str, zone: str, area_codes: tuple[str, ...], zips: tuple[int, int], weight: int) -> City:
    return City("US", name, state, zone, area_codes, weight, zips[0], zips[1])


def _au(name: str, state: str, zone: str, prefixes: tuple[str, ...], postcodes: tuple[int, int], weight: int) -> City:
    return City("AU", name, state, zone, prefixes, weight, postcodes[0], postcodes[1])


def _gb(name: str, nation: str, prefixes: tuple[str, ...], outward: str, weight: int) -> City:
    return City("GB", name, nation, "Europe/London", prefixes, weight, outward_codes=tuple(outward.split()))


NY, CHI, DEN, PHX, LA = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
)

US_CITIES: tuple[City, ...] = (
    _us("New York", "NY", NY, ("212", "646", "332"), (10001, 10282), 1600),
    _us("Brooklyn", "NY", NY, ("718", "347", "929"), (11201, 11239), 2600),
    _us("Buffalo", "NY", NY, ("716",), (14201, 14227), 280),
    _us("Rochester", "NY", NY, ("585",), (14604, 14627), 210),
    _us("Newark", "NJ", NY, ("973", "862"), (7102, 7114), 310),
    _us("Boston", "MA", NY, ("617", "857"), (2108, 2136), 650),
    _us("Philadelphia", "PA", NY, ("215", "267", "445"), (19102, 19154), 1580),
    _us("Pittsburgh", "PA", NY, ("412", "878"), (15201, 15243), 300),
    _us("Wilmington", "DE", NY, ("302",), (19801, 19810), 70),
    _us("Baltimore", "MD", NY, ("410", "443", "667"), (21201, 21239), 570),
    _us("Washington", "DC", NY, ("202", "771"), (20001, 20037), 680),
    _us("Richmond", "VA", NY, ("804",), (23219, 23236), 230),
    _us("Virginia Beach", "VA", NY, ("757", "948"), (23450, 23464), 450),
    _us("Charlotte", "NC", NY, ("704", "980"), (28202, 28277), 880),
    _us("Raleigh", "NC", NY, ("919", "984"), (27601, 27617), 470),
    _us("Atlanta", "GA", NY, ("404", "470", "678"), (30303, 30350), 500),
    _us("Jacksonville", "FL", NY, ("904",), (32202, 32277), 950),
    _us("Miami", "FL", NY, ("305", "786"), (33125, 33186), 450),
    _us("Tampa", "FL", NY, ("813", "656"), (33602, 33647), 400),
    _us("Orlando", "FL", NY, ("407", "689"), (32801, 32839), 310),
    # The western Florida panhandle keeps Central time.
    _us("Pensacola", "FL", CHI, ("850",), (32501, 32526), 55),
    _us("Columbus", "OH", NY, ("614", "380"), (43201, 43235), 900),
    _us("Cleveland", "OH", NY, ("216",), (44102, 44135), 370),
    _us("Cincinnati", "OH", NY, ("513",), (45202, 45248), 310),
    _us("Detroit", "MI", "America/Detroit", ("313",), (48201, 48235), 630),
    _us("Grand Rapids", "MI", "America/Detroit", ("616",), (49503, 49548), 200),
    _us("Indianapolis", "IN", "America/Indiana/Indianapolis", ("317", "463"), (46201, 46260), 880),
    _us("Fort Wayne", "IN", "America/Indiana/Indianapolis", ("260",), (46802, 46825), 260),
    # Lake County, Indiana is on Chicago time.
    _us("Gary", "IN", CHI, ("219",), (46401, 46409), 70),
    _us("Louisville", "KY", "America/Kentucky/Louisville", ("502",), (40202, 40299), 620),
    _us("Knoxville", "TN", NY, ("865",), (37902, 37938), 190),
    _us("Nashville", "TN", CHI, ("615", "629"), (37201, 37221), 690),
    _us("Memphis", "TN", CHI, ("901",), (38103, 38141), 630),
    _us("Chicago", "IL", CHI, ("312", "773", "872"), (60601, 60661), 2700),
    _us("Aurora", "IL", CHI, ("630", "331"), (60502, 60506), 180),
    _us("Naperville", "IL", CHI, ("630", "331"), (60540, 60567), 150),
    _us("Joliet", "IL", CHI, ("815", "779"), (60431, 60436), 150),
    _us("Rockford", "IL", CHI, ("815", "779"), (61101, 61114), 150),
    _us("Peoria", "IL", CHI, ("309",), (61602, 61615), 110),
    _us("Springfield", "IL", CHI, ("217", "447"), (62701, 62712), 115),
    _us("Milwaukee", "WI", CHI, ("414",), (53202, 53233), 570),
    _us("Madison", "WI", CHI, ("608",), (53703, 53726), 270),
    _us("Minneapolis", "MN", CHI, ("612",), (55401, 55488), 430),
    _us("St. Louis", "MO", CHI, ("314", "557"), (63101, 63147), 300),
    _us("Kansas City", "MO", CHI, ("816",), (64101, 64164), 510),
    _us("Omaha", "NE", CHI, ("402", "531"), (68102, 68164), 480),
    _us("Sioux Falls", "SD", CHI, ("605",), (57103, 57110), 200),
    _us("Oklahoma City", "OK", CHI, ("405", "572"), (73102, 73179), 690),
    _us("Birmingham", "AL", CHI, ("205", "659"), (35203, 35244), 200),
    _us("New Orleans", "LA", CHI, ("504",), (70112, 70131), 380),
    _us("Houston", "TX", CHI, ("713", "281", "832"), (77002, 77099), 2300),
    _us("Dallas", "TX", CHI, ("214", "469", "972"), (75201, 75254), 1300),
    _us("San Antonio", "TX", CHI, ("210", "726"), (78201, 78266), 1450),
    _us("Austin", "TX", CHI, ("512", "737"), (78701, 78759), 960),
    # Far west Texas keeps Mountain time.
    _us("El Paso", "TX", DEN, ("915",), (79901, 79938), 680),
    _us("Denver", "CO", DEN, ("303", "720"), (80202, 80249), 715),
    _us("Albuquerque", "NM", DEN, ("505",), (87102, 87123), 560),
    _us("Salt Lake City", "UT", DEN, ("801", "385"), (84101, 84128), 200),
    _us("Boise", "ID", "America/Boise", ("208", "986"), (83702, 83716), 235),
    # Arizona does not observe daylight saving time.
    _us("Phoenix", "AZ", PHX, ("602", "480", "623"), (85003, 85054), 1600),
    _us("Tucson", "AZ", PHX, ("520",), (85701, 85756), 540),
    _us("Las Vegas", "NV", LA, ("702", "725"), (89101, 89183), 650),
    _us("Los Angeles", "CA", LA, ("213", "323", "310", "818"), (90001, 90089), 3800),
    _us("San Diego", "CA", LA, ("619", "858"), (92101, 92199), 1380),
    _us("San Jose", "CA", LA, ("408", "669"), (95110, 95139), 970),
    _us("San Francisco", "CA", LA, ("415", "628"), (94102, 94134), 810),
    _us("Sacramento", "CA", LA, ("916", "279"), (95811, 95838), 520),
    _us("Fresno", "CA", LA, ("559",), (93701, 93728), 540),
    _us("Portland", "OR", LA, ("503", "971"), (97201, 97236), 630),
    _us("Seattle", "WA", LA, ("206",), (98101, 98199), 740),
    _us("Spokane", "WA", LA, ("509",), (99201, 99224), 230),
    _us("Anchorage", "AK", "America/Anchorage", ("907",), (99501, 99518), 290),
    _us("Honolulu", "HI", "Pacific/Honolulu", ("808",), (96813, 96826), 350),
)

AU_CITIES: tuple[City, ...] = (
    _au("Sydney", "NSW", "Australia/Sydney", ("28", "29"), (2000, 2234), 5300),
    _au("Newcastle", "NSW", "Australia/Sydney", ("249",), (2289, 2305), 500),
    _au("Wollongong", "NSW", "Australia/Sydney", ("242",), (2500, 2530), 300),
    # Canberra shares New South Wales time and the 02 area.
    _au("Canberra", "ACT", "Australia/Sydney", ("261", "262"), (2600, 2617), 460),
    _au("Melbourne", "VIC", "Australia/Melbourne", ("38", "39"), (3000, 3207), 5000),
    _au("Geelong", "VIC", "Australia/Melbourne", ("352",), (3211, 3228), 280),
    _au("Ballarat", "VIC", "Australia/Melbourne", ("353",), (3350, 3356), 110),
    # Queensland does not observe daylight saving time.
    _au("Brisbane", "QLD", "Australia/Brisbane", ("73",), (4000, 4179), 2600),
    _au("Gold Coast", "QLD", "Australia/Brisbane", ("755", "756"), (4207, 4230), 700),
    _au("Townsville", "QLD", "Australia/Brisbane", ("747",), (4810, 4818), 180),
    _au("Cairns", "QLD", "Australia/Brisbane", ("740",), (4868, 4879), 160),
    _au("Adelaide", "SA", "Australia/Adelaide", ("881", "882", "883", "884"), (5000, 5199), 1400),
    _au("Perth", "WA", "Australia/Perth", ("892", "893", "894"), (6000, 6199), 2100),
    _au("Bunbury", "WA", "Australia/Perth", ("897",), (6230, 6233), 75),
    _au("Darwin", "NT", "Australia/Darwin", ("889",), (800, 832), 150),
    _au("Alice Springs", "NT", "Australia/Darwin", ("8895",), (870, 872), 25),
    _au("Hobart", "TAS", "Australia/Hobart", ("362",), (7000, 7054), 250),
    _au("Launceston", "TAS", "Australia/Hobart", ("363",), (7248, 7250), 90),
)

GB_CITIES: tuple[City, ...] = (
    _gb(
        "London",
        "ENG",
        ("203", "207", "208"),
        "E1 E2 E3 E14 E17 N1 N7 N17 NW1 NW6 SE1 SE15 SE18 SW2 SW11 SW16 W2 W12",
        8900,
    ),
    _gb("Birmingham", "ENG", _expand("121", "234567"), "B1 B5 B8 B11 B13 B23 B29 B33 B44", 1150),
    _gb("Manchester", "ENG", _expand("161"), "M1 M4 M8 M13 M14 M16 M20 M21 M40", 550),
    _gb("Leeds", "ENG", _expand("113", "23458"), "LS1 LS2 LS6 LS8 LS9 LS11 LS12 LS17", 800),
    _gb("Sheffield", "ENG", _expand("114", "2345"), "S1 S2 S5 S6 S8 S10 S11", 560),
    _gb("Liverpool", "ENG", _expand("151"), "L1 L4 L6 L8 L13 L15 L18 L25", 490),
    _gb("Bristol", "ENG", _expand("117", "2349"), "BS1 BS2 BS3 BS5 BS7 BS13 BS16", 470),
    _gb("Nottingham", "ENG", _expand("115", "26789"), "NG1 NG2 NG3 NG5 NG7 NG8 NG11", 330),
    _gb("Leicester", "ENG", _expand("116", "234"), "LE1 LE2 LE3 LE4 LE5", 370),
    _gb("Newcastle upon Tyne", "ENG", _expand("191"), "NE1 NE2 NE4 NE5 NE6 NE15", 300),
    _gb("Coventry", "ENG", ("2476",), "CV1 CV2 CV3 CV4 CV5 CV6", 340),
    _gb("Southampton", "ENG", ("2380",), "SO14 SO15 SO16 SO17 SO18 SO19", 250),
    _gb("Portsmouth", "ENG", ("2392",), "PO1 PO2 PO3 PO4 PO5 PO6", 210),
    _gb("Reading", "ENG", _expand("118", "2349"), "RG1 RG2 RG4 RG5 RG6 RG30", 175),
    _gb("Brighton", "ENG", _expand("1273"), "BN1 BN2 BN3 BN41", 280),
    _gb("Norwich", "ENG", _expand("1603"), "NR1 NR2 NR3 NR4 NR5 NR7", 145),
    _gb("Plymouth", "ENG", _expand("1752"), "PL1 PL2 PL4 PL5 PL6 PL9", 265),
    _gb("Hull", "ENG", _expand("1482"), "HU1 HU3 HU5 HU7 HU8 HU9", 265),
    _gb("York", "ENG", _expand("1904"), "YO1 YO10 YO24 YO26 YO30 YO31", 210),
    _gb("Glasgow", "SCT", _expand("141"), "G1 G3 G11 G12 G20 G31 G42 G51 G53", 630),
    _gb("Edinburgh", "SCT", _expand("131", "2345678"), "EH1 EH3 EH6 EH7 EH11 EH12 EH16 EH17", 520),
    _gb("Aberdeen", "SCT", _expand("1224"), "AB10 AB11 AB15 AB16 AB24 AB25", 200),
    _gb("Dundee", "SCT", _expand("1382"), "DD1 DD2 DD3 DD4 DD5", 150),
    _gb("Inverness", "SCT", _expand("1463"), "IV1 IV2 IV3", 50),
    _gb("Cardiff", "WLS", ("2920",), "CF10 CF11 CF14 CF23 CF24 CF5", 370),
    _gb("Swansea", "WLS", _expand("1792"), "SA1 SA2 SA5 SA6", 245),
    _gb("Belfast", "NIR", ("2890",), "BT1 BT5 BT6 BT7 BT9 BT12 BT14 BT15", 345),
    _gb("Derry", "NIR", ("2871",), "BT47 BT48", 85),
)

CITIES: tuple[City, ...] = (*US_CITIES, *AU_CITIES, *GB_CITIES)

# Postcode inward units never use C, I, K, M, O or V in their last two letters.
UK_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# Street names are built from a surname or a common base and a suffix of the country, weighted by
# repetition; Faker's own street names ("Smith Dam", "Mcdonald Fords") read as obviously fake.
STREET_BASES: dict[str, tuple[str, ...]] = {
    "US": (
        "Main",
        "Oak",
        "Maple",
        "Park",
        "Pine",
        "Cedar",
        "Elm",
        "Washington",
        "Lake",
        "Hill",
        "Walnut",
        "Lincoln",
        "Jefferson",
        "Sunset",
        "Highland",
        "Church",
        "Jackson",
        "River",
        "Franklin",
        "Madison",
        "Spring",
        "Ridge",
        "Cherry",
        "Willow",
        "Center",
        "Meadow",
        "2nd",
        "3rd",
        "4th",
        "5th",
        "6th",
        "7th",
        "8th",
        "12th",
        "Broad",
        "Market",
        "Mill",
        "Forest",
    ),
    "AU": (
        "George",
        "King",
        "Queen",
        "Victoria",
        "Elizabeth",
        "William",
        "Albert",
        "Church",
        "High",
        "Park",
        "Railway",
        "Station",
        "Bridge",
        "Beach",
        "Ocean",
        "Wattle",
        "Banksia",
        "Acacia",
        "Hill",
        "Kent",
        "Edward",
        "Pacific",
        "Bay",
        "Main",
        "Mitchell",
        "Macquarie",
        "Hume",
        "Flinders",
    ),
    "GB": (
        "High",
        "Station",
        "Church",
        "Park",
        "Victoria",
        "Mill",
        "Green",
        "Manor",
        "Kings",
        "Queens",
        "School",
        "New",
        "North",
        "South",
        "West",
        "Chapel",
        "Grange",
        "Albert",
        "Windsor",
        "Orchard",
        "Springfield",
        "Alexandra",
        "York",
        "Stanley",
        "Brook",
        "Meadow",
        "Elm",
        "Oak",
    ),
}
STREET_SUFFIXES: dict[str, tuple[str, ...]] = {
    "US": (
        "Street",
        "Street",
        "Street",
        "Avenue",
        "Avenue",
        "Road",
        "Drive",
        "Drive",
        "Lane",
        "Court",
        "Boulevard",
        "Way",
        "Place",
        "Circle",
        "Trail",
        "Parkway",
    ),
    "AU": (
        "Street",
        "Street",
        "Street",
        "Road",
        "Road",
        "Avenue",
        "Drive",
        "Parade",
        "Crescent",
        "Court",
        "Place",
        "Close",
        "Terrace",
        "Way",
        "Highway",
    ),
    "GB": (
        "Road",
        "Road",
        "Road",
        "Street",
        "Street",
        "Lane",
        "Avenue",
        "Close",
        "Drive",
        "Gardens",
        "Crescent",
        "Way",
        "Grove",
        "Terrace",
        "Place",
        "Court",
        "Mews",
        "Rise",
        "Walk",
        "Hill",
    ),
}
UNIT_LABELS: dict[str, tuple[str, ...]] = {
    "US": ("Apt", "Apt", "Apt", "Unit", "Suite"),
    "AU": ("Unit", "Unit", "Apartment"),
    "GB": ("Flat", "Flat", "Apartment"),
}

# UK trade customers of the B2B supplier: "<surname> <trade> <suffix>".
B2B_TRADES: tuple[str, ...] = (
    "Building",
    "Construction",
    "Joinery",
    "Electrical",
    "Plumbing & Heating",
    "Roofing",
    "Engineering",
    "Fabrications",
    "Logistics",
    "Haulage",
    "Landscapes",
    "Interiors",
    "Facilities",
    "Maintenance",
    "Groundworks",
    "Scaffolding",
    "Glazing",
    "Decorators",
    "Property Services",
    "Manufacturing",
    "Motors",
    "Catering",
    "Developments",
    "Contractors",
    "Timber",
    "Tiling",
)
B2B_SUFFIXES: tuple[str, ...] = ("Ltd", "Ltd", "Ltd", "Limited", "Limited", "& Sons Ltd", "LLP", "& Co")

# Fictional original creditors on third-party (agency) placements, by product type.
ORIGINAL_CREDITORS: dict[str, tuple[str, ...]] = {
    "medical": (
        "St. Brigid Medical Center",
        "Riverbend Emergency Physicians",
        "Lakeside Radiology Associates",
        "Summit Ambulance Services",
        "Prairie View Hospital",
        "Northfield Anesthesia Group",
        "Cedar Grove Pediatrics",
        "Harbor Point Orthopedics",
    ),
    "utility": (
        "Prairie Wireless",
        "Cascade Broadband",
        "Tri-County Electric Cooperative",
        "Metro Gas & Light",
        "Bluewater Municipal Utilities",
        "Horizon Cable & Internet",
    ),
    "credit_card": ("Harborview Credit Union", "Keystone Retail Card Services", "First Meridian Bank"),
    "personal_loan": ("QuickBridge Installment Loans", "Granite State Lending"),
    "other": ("Peak Fitness Clubs", "Redline Auto Finance", "Brightpath Online College"),
}


@dataclass(frozen=True)
class DemoCreditorSpec:
    """One demo creditor, its portfolio shape and the format of its account references."""

    code: str
    name: str
    industry: str
    collector_type: str
    currency: str
    country: str
    jurisdiction: str
    share_per_mille: int
    """Share of the generated accounts; the shares sum to 1000."""
    product_mix: tuple[tuple[str, int], ...]
    """Product types and their weights."""
    regions: tuple[str, ...] = ()
    """Limit debtors to cities in these regions (a hospital's catchment); empty means nationwide."""
    business_debtors: bool = False
    co_debtor_per_mille: int = 0
    guarantor_per_mille: int = 0
    repeat_debtor_per_mille: int = 30
    """Accounts whose primary debtor already has another account with this creditor."""
    reference_prefix: str = ""
    reference_digits: int = 8
    placement_hour_utc: int = 6
    """Hour (UTC) the creditor's nightly placement file is loaded."""


DEMO_CREDITORS: tuple[DemoCreditorSpec, ...] = (
    DemoCreditorSpec(
        code="demo-us-card",
        name="Lakeshore National Bank Card Services",
        industry="bank_card",
        collector_type="first_party",
        currency="USD",
        country="US",
        jurisdiction="US-DE",
        share_per_mille=300,
        product_mix=(("credit_card", 1),),
        co_debtor_per_mille=50,
        repeat_debtor_per_mille=20,
        reference_prefix="LNB",
        reference_digits=10,
        placement_hour_utc=7,
    ),
    DemoCreditorSpec(
        code="demo-us-hospital",
        name="Mercy Valley Health System",
        industry="healthcare",
        collector_type="first_party",
        currency="USD",
        country="US",
        jurisdiction="US-IL",
        share_per_mille=120,
        product_mix=(("medical", 1),),
        regions=("IL", "IN", "WI"),
        co_debtor_per_mille=40,
        guarantor_per_mille=30,
        repeat_debtor_per_mille=80,
        reference_prefix="MVH-",
        reference_digits=7,
        placement_hour_utc=8,
    ),
    DemoCreditorSpec(
        code="demo-us-agency",
        name="Keystone Recovery Partners (agency placements)",
        industry="other",
        collector_type="third_party",
        currency="USD",
        country="US",
        jurisdiction="US-PA",
        share_per_mille=250,
        # Third-party placements skew to medical (about 58%) and telecom/utility (about 20%).
        product_mix=(
            ("medical", 580),
            ("utility", 200),
            ("credit_card", 120),
            ("personal_loan", 60),
            ("other", 40),
        ),
        co_debtor_per_mille=20,
        repeat_debtor_per_mille=60,
        reference_prefix="KRP-",
        reference_digits=8,
        placement_hour_utc=9,
    ),
    DemoCreditorSpec(
        code="demo-au-utility",
        name="Southern Cross Energy & Water",
        industry="utility",
        collector_type="first_party",
        currency="AUD",
        country="AU",
        jurisdiction="AU-VIC",
        share_per_mille=150,
        product_mix=(("utility", 1),),
        co_debtor_per_mille=30,
        repeat_debtor_per_mille=15,
        reference_prefix="41",
        reference_digits=8,
        placement_hour_utc=16,
    ),
    DemoCreditorSpec(
        code="demo-uk-loans",
        name="Thistle & Oak Personal Finance",
        industry="lender",
        collector_type="first_party",
        currency="GBP",
        country="GB",
        jurisdiction="GB-ENG",
        share_per_mille=120,
        product_mix=(("personal_loan", 1),),
        co_debtor_per_mille=50,
        guarantor_per_mille=40,
        repeat_debtor_per_mille=25,
        reference_prefix="TOF/",
        reference_digits=8,
        placement_hour_utc=2,
    ),
    DemoCreditorSpec(
        code="demo-uk-b2b",
        name="Northgate Industrial Supplies Ltd",
        industry="b2b_supplier",
        collector_type="first_party",
        currency="GBP",
        country="GB",
        jurisdiction="GB-ENG",
        share_per_mille=60,
        product_mix=(("b2b_invoice", 1),),
        business_debtors=True,
        guarantor_per_mille=150,
        repeat_debtor_per_mille=0,
        reference_prefix="NIS-C",
        reference_digits=7,
        placement_hour_utc=3,
    ),
)

DEMO_CREDITOR_CODES: tuple[str, ...] = tuple(spec.code for spec in DEMO_CREDITORS)

# Teams of the demo staff and which accounts each works: early-stage consumer collections (under
# 90 days past due), late stage and recoveries (90+ days and agency placements), and commercial.
EARLY_STAGE_TEAM = "Early stage"
LATE_STAGE_TEAM = "Late stage"
COMMERCIAL_TEAM = "Commercial"
DEMO_TEAMS: tuple[str, ...] = (EARLY_STAGE_TEAM, LATE_STAGE_TEAM, COMMERCIAL_TEAM)
LATE_STAGE_MIN_DPD = 90
