"""The fixed data the demo seeders draw from: teams and people, products and competitors,
company and person names, and the words of subjects, notes, outcomes, plans and requests.

Only constants live here; ``demo.seeder`` and ``demo.plans_and_requests`` decide how they are
combined, with their own random generators.
"""

from decimal import Decimal

from models.enums import ActivityKind, BuyingRole, OpportunityType, Role, SizeBand, TeamKind

# The standard pipelines (services.pipelines.ensure_default_pipelines) and each one's deal type.
NEW_BUSINESS, EXPANSION, RENEWAL = "New business", "Expansion", "Renewal"
PIPELINE_TYPES = {
    NEW_BUSINESS: OpportunityType.NEW_BUSINESS,
    EXPANSION: OpportunityType.EXPANSION,
    RENEWAL: OpportunityType.RENEWAL,
}
# Exchange rates from USD, for list prices in the accounts' currencies.
FX = {"USD": Decimal("1"), "EUR": Decimal("0.92"), "GBP": Decimal("0.79")}

TEAMS = [
    ("Enterprise Sales", TeamKind.SALES),
    ("Commercial Sales", TeamKind.SALES),
    ("Delivery", TeamKind.DELIVERY),
    ("Customer Support", TeamKind.SUPPORT),
    ("Legal", TeamKind.LEGAL),
    ("Finance", TeamKind.FINANCE),
    ("Product", TeamKind.PRODUCT),
]

# (name, email local part, role, team, reports to (email local part), active)
USERS = [
    ("Robin Castillo", "admin", Role.ADMIN, None, None, True),
    ("Dana Whitfield", "dana.whitfield", Role.SALES_MANAGER, "Enterprise Sales", None, True),
    ("Marcus Okafor", "marcus.okafor", Role.SALES_MANAGER, "Commercial Sales", None, True),
    ("Sam Carter", "am", Role.ACCOUNT_MANAGER, "Enterprise Sales", "dana.whitfield", True),
    (
        "Priya Raman",
        "priya.raman",
        Role.ACCOUNT_MANAGER,
        "Enterprise Sales",
        "dana.whitfield",
        True,
    ),
    (
        "Tomas Herrera",
        "tomas.herrera",
        Role.ACCOUNT_MANAGER,
        "Enterprise Sales",
        "dana.whitfield",
        True,
    ),
    (
        "Hannah Lindqvist",
        "hannah.lindqvist",
        Role.ACCOUNT_MANAGER,
        "Enterprise Sales",
        "dana.whitfield",
        True,
    ),
    (
        "Kenji Watanabe",
        "kenji.watanabe",
        Role.ACCOUNT_MANAGER,
        "Commercial Sales",
        "marcus.okafor",
        True,
    ),
    (
        "Olivia Brennan",
        "olivia.brennan",
        Role.ACCOUNT_MANAGER,
        "Commercial Sales",
        "marcus.okafor",
        True,
    ),
    ("Mateo Rossi", "mateo.rossi", Role.ACCOUNT_MANAGER, "Commercial Sales", "marcus.okafor", True),
    (
        "Grace Adeyemi",
        "grace.adeyemi",
        Role.ACCOUNT_MANAGER,
        "Commercial Sales",
        "marcus.okafor",
        True,
    ),
    ("Lena Fischer", "lena.fischer", Role.TEAM_MEMBER, "Delivery", None, True),
    ("Ravi Menon", "ravi.menon", Role.TEAM_MEMBER, "Delivery", "lena.fischer", True),
    ("Chloe Martin", "chloe.martin", Role.TEAM_MEMBER, "Customer Support", None, True),
    ("Diego Alvarez", "diego.alvarez", Role.TEAM_MEMBER, "Customer Support", "chloe.martin", True),
    ("Peter Novak", "peter.novak", Role.TEAM_MEMBER, "Customer Support", "chloe.martin", False),
    ("Nadia Haddad", "nadia.haddad", Role.TEAM_MEMBER, "Legal", None, True),
    ("Owen Gallagher", "owen.gallagher", Role.TEAM_MEMBER, "Finance", None, True),
    ("Yuki Tanaka", "yuki.tanaka", Role.TEAM_MEMBER, "Product", None, True),
    ("Victor Lam", "viewer", Role.VIEWER, "Enterprise Sales", "dana.whitfield", True),
]

# (SKU, name, category, list price in USD, active)
PRODUCTS = [
    ("AG-PLT-STD", "Platform Standard (per seat, annual)", "Platform", "480.00", True),
    ("AG-PLT-ENT", "Platform Enterprise (per seat, annual)", "Platform", "960.00", True),
    ("AG-ANL-SUITE", "Analytics Suite", "Add-on", "18000.00", True),
    ("AG-SEC-SSO", "Advanced Security and SSO", "Add-on", "9500.00", True),
    ("AG-ENV-SBX", "Sandbox Environment", "Add-on", "4800.00", True),
    ("AG-INT-CONN", "Data Connectors Pack", "Integrations", "6000.00", True),
    ("AG-INT-API", "API Premium Tier", "Integrations", "12000.00", True),
    ("AG-SUP-PREM", "Premium Support", "Support", "15000.00", True),
    ("AG-SUP-DSM", "Dedicated Success Manager", "Support", "36000.00", True),
    ("AG-SRV-IMPL", "Implementation Package", "Services", "25000.00", True),
    ("AG-SRV-TRN", "On-site Training Day", "Services", "2400.00", True),
    ("AG-LEG-RPT", "Legacy Reporting Module", "Add-on", "3000.00", False),
]
ADD_ONS = ["AG-ANL-SUITE", "AG-SEC-SSO", "AG-ENV-SBX", "AG-INT-CONN", "AG-INT-API"]
SERVICES = ["AG-SRV-IMPL", "AG-SRV-TRN", "AG-SUP-PREM"]
EXPANSION_ITEMS = [*ADD_ONS, "AG-SUP-PREM", "AG-SUP-DSM", "AG-SRV-TRN"]

COMPETITORS = [
    (
        "Pipewise",
        "https://pipewise.example",
        "Low price, quick to set up",
        "Weak reporting; no account planning",
    ),
    (
        "Dealflow CRM",
        "https://dealflow.example",
        "Strong mobile app, large partner network",
        "Expensive add-ons; slow support",
    ),
    (
        "Accountly",
        "https://accountly.example",
        "Popular with small teams",
        "Does not scale past a few hundred users",
    ),
    (
        "Northstar Revenue Cloud",
        "https://northstar-revenue.example",
        "Enterprise brand, broad suite",
        "Long implementations, rigid pricing",
    ),
    (
        "Salesgrid",
        "https://salesgrid.example",
        "Good forecasting",
        "Limited API; weak integrations",
    ),
    (
        "Clientbase One",
        "https://clientbase.example",
        "Bundled with their ERP",
        "Dated interface; low adoption",
    ),
]

INDUSTRIES = {
    "Software": ["Software", "Systems", "Labs", "Cloud"],
    "Financial services": ["Capital", "Financial", "Bank", "Partners"],
    "Healthcare": ["Health", "Medical", "Clinics", "Biosciences"],
    "Manufacturing": ["Manufacturing", "Industries", "Components", "Works"],
    "Retail": ["Retail", "Stores", "Outfitters", "Market"],
    "Logistics": ["Logistics", "Freight", "Shipping", "Transport"],
    "Energy": ["Energy", "Power", "Renewables", "Utilities"],
    "Education": ["Learning", "Academy", "Education"],
    "Media": ["Media", "Studios", "Publishing"],
    "Insurance": ["Insurance", "Mutual", "Assurance"],
    "Telecommunications": ["Telecom", "Networks", "Communications"],
    "Hospitality": ["Hotels", "Hospitality", "Resorts"],
}
PREFIXES = [
    "Alder",
    "Amber",
    "Arbor",
    "Aster",
    "Bayside",
    "Beacon",
    "Birch",
    "Bluefin",
    "Brightwater",
    "Canyon",
    "Cedar",
    "Cobalt",
    "Copperleaf",
    "Crestline",
    "Driftwood",
    "Eastgate",
    "Ember",
    "Evergreen",
    "Fairhaven",
    "Falcon",
    "Foxglove",
    "Granite",
    "Greystone",
    "Harbor",
    "Highland",
    "Ironbridge",
    "Juniper",
    "Kestrel",
    "Lakeshore",
    "Larkspur",
    "Lumen",
    "Maple",
    "Meridian",
    "Northgate",
    "Oakridge",
    "Orchard",
    "Pinecrest",
    "Quarry",
    "Redwood",
    "Riverbend",
    "Saltmarsh",
    "Silverline",
    "Stonebrook",
    "Summit",
    "Tidewater",
    "Trillium",
    "Vantage",
    "Westbrook",
    "Willow",
    "Windward",
]
ACCOUNT_SUFFIXES = ["EMEA", "APAC", "North America", "Operations", "Finance Division", "Digital"]
TAGS = [
    "reference-customer",
    "multi-region",
    "high-growth",
    "partner",
    "public-sector",
    "beta-program",
    "price-sensitive",
    "expansion-target",
    "executive-sponsor",
    "security-review",
]
# How many of the clients are in each country; the billing currency follows the country
# (USD for most, EUR or GBP for European clients).
COUNTRIES = [
    ("US", 19),
    ("CA", 3),
    ("AU", 2),
    ("SG", 1),
    ("JP", 1),
    ("SE", 1),
    ("GB", 5),
    ("DE", 3),
    ("FR", 2),
    ("NL", 1),
    ("IE", 1),
    ("ES", 1),
]
CURRENCY_OF = {"GB": "GBP", "DE": "EUR", "FR": "EUR", "NL": "EUR", "IE": "EUR", "ES": "EUR"}
SIZE_BANDS = [
    (SizeBand.ENTERPRISE, 25),
    (SizeBand.LARGE, 30),
    (SizeBand.MEDIUM, 25),
    (SizeBand.SMALL, 13),
    (SizeBand.MICRO, 7),
]

FIRST_NAMES = [
    "Aisha",
    "Alan",
    "Amelia",
    "Andre",
    "Anna",
    "Ben",
    "Bianca",
    "Carlos",
    "Catherine",
    "Chen",
    "Daniel",
    "Dev",
    "Elena",
    "Emma",
    "Erik",
    "Fatima",
    "Felix",
    "Gabriel",
    "Hana",
    "Ian",
    "Isabel",
    "Jack",
    "James",
    "Jana",
    "Julia",
    "Karim",
    "Kate",
    "Laura",
    "Leo",
    "Lucas",
    "Maya",
    "Mei",
    "Michael",
    "Mohammed",
    "Nina",
    "Noah",
    "Omar",
    "Paula",
    "Rachel",
    "Rahul",
    "Sara",
    "Sean",
    "Sofia",
    "Stefan",
    "Tara",
    "Thomas",
    "Valentina",
    "William",
    "Zoe",
    "Ethan",
]
LAST_NAMES = [
    "Anderson",
    "Bauer",
    "Bennett",
    "Costa",
    "Dubois",
    "Evans",
    "Fernandes",
    "Garcia",
    "Gupta",
    "Hansen",
    "Ibrahim",
    "Jensen",
    "Kaur",
    "Keller",
    "Kim",
    "Kowalski",
    "Larsen",
    "Lopez",
    "Mahmoud",
    "Meyer",
    "Moreau",
    "Murphy",
    "Nakamura",
    "Nguyen",
    "Novak",
    "OBrien",
    "Patel",
    "Petrov",
    "Quinn",
    "Rahman",
    "Reid",
    "Santos",
    "Schmidt",
    "Silva",
    "Singh",
    "Sullivan",
    "Tanaka",
    "Turner",
    "Van Dijk",
    "Walsh",
    "Wang",
    "Weber",
    "Williams",
    "Yilmaz",
    "Zhang",
]
TITLES = {
    BuyingRole.DECISION_MAKER: [
        "Chief Revenue Officer",
        "VP of Sales",
        "Chief Operating Officer",
        "Chief Financial Officer",
        "VP of Customer Success",
    ],
    BuyingRole.CHAMPION: [
        "Director of Revenue Operations",
        "Sales Operations Manager",
        "Head of Customer Success",
        "CRM Program Lead",
    ],
    BuyingRole.INFLUENCER: [
        "IT Director",
        "Enterprise Architect",
        "Finance Manager",
        "Head of Procurement",
    ],
    BuyingRole.USER: ["Account Executive", "Customer Success Manager", "Sales Analyst"],
    BuyingRole.BLOCKER: ["Procurement Lead", "Information Security Officer", "Legal Counsel"],
}
PHONE_AREAS = ["212", "312", "415", "512", "617", "206"]
DEPARTMENTS = ["Sales", "Finance", "Operations", "Customer Success", "Marketing", "Support"]

LOST_REASONS = {
    NEW_BUSINESS: [
        "No budget this year",
        "Project cancelled",
        "No decision; the buyer went dark",
        "Price too high",
        "Missing features: offline mobile access",
        "Timing: revisit next year",
    ],
    EXPANSION: [
        "Budget frozen until next fiscal year",
        "Adoption too low to justify more seats",
        "Price too high",
        "Built it in-house",
    ],
    RENEWAL: [
        "Company acquired; consolidating tools",
        "Budget cuts",
        "Low adoption",
        "Moved to a competitor platform",
    ],
}
NEXT_STEPS = [
    "Schedule technical deep dive",
    "Send revised proposal",
    "Security review with IT",
    "Legal review of the MSA",
    "Executive sponsor call",
    "Confirm budget owner",
    "Pricing approval from finance",
    "Run a pilot with two teams",
    "Agree mutual action plan",
    "Reference call with an existing customer",
]
COMPETITOR_NOTES = [
    "Incumbent; contract ends this year",
    "Came in about 20% cheaper",
    "Shortlisted by IT",
    "Demoed last month; champion unimpressed",
    "Bundled with their ERP deal",
    None,
]

DEAL_SUBJECTS = {
    ActivityKind.CALL: [
        "Discovery call with {contact}",
        "Follow-up call on {deal}",
        "Pricing discussion with {contact}",
        "Call with {contact} about timeline",
        "Reference call arranged for {contact}",
    ],
    ActivityKind.EMAIL: [
        "Sent proposal for {deal}",
        "Meeting recap to {contact}",
        "Shared case study with {contact}",
        "Sent security questionnaire answers",
        "Sent revised pricing to {contact}",
        "Introduced solutions engineer to {contact}",
    ],
    ActivityKind.MEETING: [
        "Product demo for {company}",
        "Technical deep dive with {company} IT",
        "Executive alignment with {contact}",
        "Commercial negotiation with {company}",
        "Success criteria workshop for {deal}",
    ],
    ActivityKind.NOTE: [
        "Champion confirmed budget for {deal}",
        "Procurement requires three quotes",
        "Decision expected after their board meeting",
        "Competitor pricing came in lower",
        "Legal redlines received on the MSA",
        "Security review passed",
    ],
    ActivityKind.TASK: [
        "Send revised proposal to {contact}",
        "Book security review for {deal}",
        "Chase the signed order form",
        "Prepare mutual action plan for {deal}",
        "Confirm decision timeline with {contact}",
        "Get discount approval from {manager}",
    ],
}
ACCOUNT_SUBJECTS = {
    ActivityKind.CALL: [
        "Monthly check-in with {contact}",
        "Adoption review call with {contact}",
        "Call with {contact} about the support backlog",
        "Renewal timing call with {contact}",
    ],
    ActivityKind.EMAIL: [
        "Sent usage report to {contact}",
        "Shared product roadmap update with {company}",
        "Invited {contact} to the customer advisory board",
        "Sent QBR follow-up notes",
    ],
    ActivityKind.MEETING: [
        "Quarterly business review with {company}",
        "Executive sponsor meeting",
        "Onboarding workshop with {company}",
        "Account planning session",
    ],
    ActivityKind.NOTE: [
        "Usage up {pct}% quarter over quarter",
        "New VP of Sales joined {company}",
        "Support escalation resolved",
        "Budget planning starts next month",
        "{contact} is moving to a new role",
    ],
    ActivityKind.TASK: [
        "Prepare QBR deck for {company}",
        "Pull usage report before the renewal",
        "Schedule executive sponsor call",
        "Update the account plan for {company}",
        "Review open support tickets for {company}",
    ],
}
RISK_NOTES = [
    "Usage down {pct}% quarter over quarter",
    "Champion {contact} left the company",
    "Escalation: integration outages reported by {company}",
    "{competitor} is pitching to {company}",
]
CONTACT_SUBJECTS = {
    ActivityKind.CALL: ["Intro call with {contact}"],
    ActivityKind.EMAIL: ["Welcome email to {contact}"],
    ActivityKind.MEETING: ["Coffee with {contact}"],
    ActivityKind.NOTE: [
        "{contact} prefers email over calls",
        "{contact} joins the steering committee",
    ],
}
LEAD_SUBJECTS = {
    ActivityKind.CALL: ["Intro call with {person}", "Qualification call with {person}"],
    ActivityKind.EMAIL: ["Sent overview deck to {person}", "Follow-up email to {person}"],
    ActivityKind.MEETING: ["Discovery meeting with {company}"],
    ActivityKind.NOTE: [
        "{person} is evaluating options this quarter",
        "{company} uses spreadsheets today",
    ],
    ActivityKind.TASK: ["Follow up with {person}"],
}
BODIES = {
    ActivityKind.EMAIL: [
        "Attached the documents we discussed.",
        "Summarised the agreed next steps and owners.",
        "Shared two customer stories from the same industry.",
        "Answered the open questions from the last call.",
        None,
    ],
    ActivityKind.MEETING: [
        "Key stakeholders attended; action items shared in the recap email.",
        "Walked through reporting and forecasting; strong interest.",
        "Agreed on success criteria and a timeline.",
        "They raised concerns about the data migration effort.",
        None,
    ],
    ActivityKind.NOTE: [
        "Heard from the champion after their steering committee.",
        "Budget is approved; procurement needs the security documentation.",
        "They are comparing two vendors and expect to decide within a month.",
        "Asked for customer references in the same industry.",
        None,
    ],
}
OUTCOMES = {
    ActivityKind.CALL: [
        "Connected; agreed next steps",
        "Left voicemail",
        "Rescheduled to next week",
        "Requested pricing options",
    ],
    ActivityKind.MEETING: [
        "Positive; agreed next steps",
        "Good engagement from stakeholders",
        "Needs internal alignment on their side",
        "Requested a follow-up demo",
    ],
}
TASK_OUTCOMES = ["Done", "Sent", "Completed and shared with the team", None]
DISQUALIFY_REASONS = [
    "no budget",
    "too small for our offering",
    "under contract with a competitor until 2028",
    "student project",
]

# ---- plans, satisfaction and coordination requests ---------------------------------------

OBJECTIVES = [
    ("Expand platform seats across the business", "Seats under contract"),
    ("Land the analytics add-on", "Analytics Suite signed"),
    ("Renew on a multi-year term", "Renewal signed for two years or more"),
    ("Raise adoption above 80% of licensed users", "Monthly active users / licensed seats"),
    ("Secure an executive sponsor", "Quarterly business review with the sponsor held"),
    ("Replace the incumbent in the second region", "Regional rollout signed"),
]
ACTIONS = [
    "Run the quarterly business review",
    "Map the buying committee in the new region",
    "Prepare the adoption report",
    "Workshop with the champion on the roadmap",
    "Send the expansion proposal",
    "Introduce the success manager",
    "Agree on the renewal timeline with procurement",
]
COMMENTS_NPS: dict[str, list[str | None]] = {
    "high": ["Support is quick and knows our setup", "The platform just works", None],
    "mid": ["Reporting could be faster", "Fine, but onboarding took long", None],
    "low": [
        "Too many outages this quarter",
        "We feel nobody listens",
        "Pricing is hard to justify",
    ],
}
# (team kind, request titles)
REQUESTS = {
    TeamKind.DELIVERY: [
        "Scope the rollout for the new region",
        "Estimate the data migration",
        "Staff the implementation kick-off",
    ],
    TeamKind.SUPPORT: [
        "Escalate the recurring sync failures",
        "Review open tickets before the QBR",
        "Set up a named support contact",
    ],
    TeamKind.LEGAL: [
        "Review the client's redlines on the MSA",
        "NDA for the security review",
        "Data processing addendum for EU entities",
    ],
    TeamKind.FINANCE: [
        "Approve a 15% multi-year discount",
        "Split invoicing across two entities",
        "Credit note for the outage",
    ],
    TeamKind.PRODUCT: [
        "Roadmap briefing for the client's CTO",
        "Feature request: offline mobile access",
        "Beta access to the new forecasting module",
    ],
}
REQUEST_COMMENTS = [
    "Can we have this before the client call on Thursday?",
    "On it; I need the contract number.",
    "Shared the draft in the account folder.",
    "Waiting on the client's procurement team.",
    "Done from our side, please confirm with the client.",
    "Declining: this is covered by the standard terms.",
]
