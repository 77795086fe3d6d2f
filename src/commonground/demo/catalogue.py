"""Reference data for the demo association: chapters, plans, offerings, custom fields, staff.

Kept as plain data so the generator stays readable and a reviewer can see at a glance
what a demo association contains.
"""

from __future__ import annotations

from decimal import Decimal

# Chapter name -> US states (ISO 3166-2 subdivision codes) it covers. Twelve regions;
# smaller seeds use the first ``n`` (at least eight) and fold the rest into neighbours.
CHAPTERS: list[tuple[str, tuple[str, ...]]] = [
    ("New England", ("MA", "CT", "RI", "NH", "VT", "ME")),
    ("New York Metro", ("NY", "NJ")),
    ("Mid-Atlantic", ("PA", "MD", "DE", "DC", "VA", "WV")),
    ("Southeast", ("NC", "SC", "GA", "FL", "AL", "TN")),
    ("Great Lakes", ("IL", "MI", "OH", "IN", "WI")),
    ("Heartland", ("MN", "IA", "MO", "KS", "NE", "ND", "SD")),
    ("Gulf Coast", ("LA", "MS", "AR", "KY")),
    ("Texas", ("TX", "OK")),
    ("Mountain West", ("CO", "UT", "NM", "AZ", "NV", "ID", "MT", "WY")),
    ("Pacific Northwest", ("WA", "OR", "AK")),
    ("Northern California", ("CA",)),
    ("Hawaii and Pacific", ("HI",)),
]

# Rough share of members by state (bigger states, bigger chapters).
STATE_WEIGHTS: dict[str, float] = {
    "CA": 12, "TX": 9, "NY": 8, "FL": 7, "IL": 5, "PA": 5, "OH": 4, "GA": 4, "NC": 4,
    "MI": 3.5, "NJ": 3.5, "VA": 3.5, "WA": 3, "MA": 3, "AZ": 2.5, "TN": 2.5, "IN": 2,
    "MO": 2, "MD": 2.5, "WI": 2, "CO": 2.5, "MN": 2, "SC": 1.8, "AL": 1.5, "LA": 1.5,
    "KY": 1.4, "OR": 1.6, "OK": 1.2, "CT": 1.4, "UT": 1.2, "IA": 1, "NV": 1, "AR": 0.9,
    "MS": 0.8, "KS": 0.9, "NM": 0.7, "NE": 0.7, "ID": 0.6, "WV": 0.5, "HI": 0.6,
    "NH": 0.5, "ME": 0.5, "RI": 0.4, "MT": 0.4, "DE": 0.4, "SD": 0.3, "ND": 0.3,
    "AK": 0.3, "DC": 0.6, "VT": 0.3, "WY": 0.2,
}

# Area codes per state, so generated phone numbers are valid E.164 US numbers.
AREA_CODES: dict[str, tuple[int, ...]] = {
    "CA": (213, 310, 415, 510, 619, 714, 916), "TX": (214, 512, 713, 817, 210),
    "NY": (212, 315, 518, 585, 718), "FL": (305, 407, 813, 904), "IL": (312, 773, 847),
    "PA": (215, 412, 717), "OH": (216, 513, 614), "GA": (404, 706, 912), "NC": (704, 919),
    "MI": (313, 616, 734), "NJ": (201, 609, 973), "VA": (703, 757, 804), "WA": (206, 509),
    "MA": (617, 508, 413), "AZ": (480, 602, 520), "TN": (615, 901), "IN": (317, 219),
    "MO": (314, 816), "MD": (301, 410), "WI": (414, 608), "CO": (303, 719), "MN": (612, 651),
    "SC": (803, 843), "AL": (205, 334), "LA": (504, 225), "KY": (502, 859), "OR": (503, 541),
    "OK": (405, 918), "CT": (203, 860), "UT": (801, 435), "IA": (515, 319), "NV": (702, 775),
    "AR": (501, 479), "MS": (601, 228), "KS": (316, 785), "NM": (505, 575), "NE": (402, 308),
    "ID": (208,), "WV": (304,), "HI": (808,), "NH": (603,), "ME": (207,), "RI": (401,),
    "MT": (406,), "DE": (302,), "SD": (605,), "ND": (701,), "AK": (907,), "DC": (202,),
    "VT": (802,), "WY": (307,),
}

# slug, name, kind, price, term in months (0: lifetime), grace days (None: the term's
# default), description. Most members are on annual plans; some pay monthly, a few once.
PLANS: list[tuple[str, str, str, Decimal, int, int | None, str]] = [
    ("individual", "Individual", "individual", Decimal("245.00"), 12, 30,
     "Full professional membership"),
    ("early-career", "Early career", "individual", Decimal("125.00"), 12, 30,
     "For the first five years in the profession"),
    ("student", "Student", "individual", Decimal("45.00"), 12, 14,
     "For students in accredited programmes"),
    ("retired", "Retired", "individual", Decimal("95.00"), 12, 45, "For retired professionals"),
    ("monthly", "Monthly", "individual", Decimal("22.00"), 1, None,
     "Full membership paid month by month"),
    ("lifetime", "Lifetime", "individual", Decimal("2950.00"), 0, None,
     "One payment, a member for life"),
    ("org-bronze", "Organisational Bronze", "organisational", Decimal("950.00"), 12, 60,
     "Up to 5 named staff"),
    ("org-silver", "Organisational Silver", "organisational", Decimal("2400.00"), 12, 60,
     "Up to 15 named staff and a conference booth discount"),
    ("org-gold", "Organisational Gold", "organisational", Decimal("5800.00"), 12, 60,
     "Unlimited staff, sponsorship credit and a seat on the industry council"),
]
# Who takes the monthly and the lifetime plan instead of their career stage's annual one
# (the first member of those stages always does, so even a small seed has both).
MONTHLY_STAGES, MONTHLY_P = ("early_career", "mid_career"), 0.04
LIFETIME_STAGES, LIFETIME_P = ("senior", "retired"), 0.05

# name, category, side, price decision, member price, non-member price
OFFERINGS: list[tuple[str, str, str, str, str, str]] = [
    ("Annual Conference", "community", "business", "member_price", "495.00", "795.00"),
    ("Regional Chapter Meetups", "community", "mission", "free", "0", "0"),
    ("Online Member Forum", "community", "mission", "free", "0", "0"),
    ("Peer Mentoring Circles", "community", "mission", "member_price", "0", "150.00"),
    ("Certification Prep Course", "learning", "business", "member_price", "350.00", "650.00"),
    ("Continuing Education Webinars", "learning", "business", "member_price", "25.00", "75.00"),
    ("Leadership Academy", "learning", "both", "non_member_price", "0", "1200.00"),
    ("Ethics Refresher (CE)", "learning", "mission", "free", "0", "0"),
    ("Journal of Practice", "knowledge", "business", "member_price", "0", "180.00"),
    ("Annual Salary Survey", "knowledge", "business", "member_price", "0", "295.00"),
    ("Research Briefs", "knowledge", "mission", "free", "0", "0"),
    ("Standards Handbook", "knowledge", "mission", "non_member_price", "0", "89.00"),
    ("Policy Action Center", "advocacy", "mission", "free", "0", "0"),
    ("Capitol Hill Day", "advocacy", "mission", "member_price", "50.00", "150.00"),
    ("Public Awareness Campaign", "advocacy", "both", "free", "0", "0"),
    ("Industry Council Briefings", "advocacy", "business", "member_price", "0", "400.00"),
]

SPECIALTIES = ["Clinical practice", "Research", "Education", "Management", "Policy",
               "Consulting", "Technology", "Public health"]
HEARD_ABOUT = ["Colleague", "Employer", "Conference", "University", "Web search", "Social media",
               "Chapter event", "Publication"]

# key, label, kind, choices, help text
CUSTOM_FIELDS: list[tuple[str, str, str, list[str], str]] = [
    ("specialty", "Specialty", "choice", SPECIALTIES, "Main area of practice"),
    ("years_experience", "Years of experience", "number", [], "In the profession"),
    ("heard_about", "How they heard about us", "choice", HEARD_ABOUT, "Asked at sign-up"),
    ("newsletter", "Newsletter opt-in", "boolean", [], ""),
]

# role key, local part, first name, last name, what they do
STAFF: list[tuple[str, str, str, str, str]] = [
    ("membership", "director", "Dana", "Whitfield", "Membership director"),
    ("marketing", "marketing", "Marco", "Alvarez", "Marketing manager"),
    ("community", "community", "Priya", "Natarajan", "Community manager"),
    ("volunteers", "volunteers", "Grace", "Okafor", "Volunteer manager"),
    ("executive", "executive", "Henry", "Lindqvist", "Executive director"),
    ("board", "board", "Ruth", "Castellano", "Board member"),
    ("chapter-leader", "chapter", "Sam", "Kowalski", "Chapter leader"),
]

DEMO_PASSWORD = "commonground-demo"

# The hidden profile (DOMAIN.md D4). Order matters: it is the column order in the truth file.
MOTIVATIONS = ("business_development", "visibility_reputation", "competence_development",
               "career_advancement", "community_belonging", "insider_access", "giving_back")
CAREER_STAGES = ("student", "early_career", "mid_career", "senior", "retired")
CAREER_STAGE_P = (0.10, 0.22, 0.35, 0.23, 0.10)
CAREER_PLAN = {"student": "student", "early_career": "early-career", "mid_career": "individual",
               "senior": "individual", "retired": "retired"}

# Employer name parts by sector.
ORG_PARTS = {
    "public": (("County", "State", "City", "Regional", "Metropolitan", "Municipal"),
               ("Health Department", "Transit Authority", "University", "School District",
                "Public Library", "Planning Office", "Water Board", "Hospital")),
    "voluntary": (("Community", "United", "Open", "Hope", "Neighbourhood", "Future"),
                  ("Foundation", "Trust", "Alliance", "Network", "Coalition", "Society",
                   "Action Fund")),
    "private": (("Acme", "Summit", "Northwind", "Bluebird", "Keystone", "Harbor", "Pinnacle",
                 "Cedar", "Ironwood", "Lumen", "Meridian", "Brightline"),
                ("Consulting", "Partners", "Group", "Labs", "Health", "Analytics", "Advisors",
                 "Solutions", "Associates", "Systems")),
}
SECTOR_P = {"public": 0.25, "voluntary": 0.2, "private": 0.55}

TITLES = {
    "student": ("Student", "Intern", "Research assistant"),
    "early_career": ("Analyst", "Associate", "Coordinator", "Specialist"),
    "mid_career": ("Manager", "Senior specialist", "Programme lead", "Consultant"),
    "senior": ("Director", "Principal", "Vice president", "Head of practice"),
    "retired": ("Emeritus", "Adviser", "Volunteer"),
}

EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com",
                 "inbox.example.org")
