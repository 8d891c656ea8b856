"""The ranges of real B2B SaaS the demo company is calibrated to, with their sources.

Each range is what a generated company of the default size (2,000 accounts, 24
months) must show, computed from its files as docs/demo-company.md defines it;
``tests/synth/test_realism.py`` computes every figure with pandas alone and
checks it. The generator's knobs that set each figure are named beside it.
Sources are public benchmark reports and vendor studies; where a figure mixes
deal types no single benchmark covers, the range is derived from the ones that
do, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Range:
    """``low <= figure <= high``; ``knobs`` are the constants that move it."""

    figure: str
    low: float
    high: float
    unit: str
    knobs: str
    sources: tuple[str, ...]
    note: str = ""


SOURCES = {
    "hubspot-win-rate": Source(
        "Sales Win Rate: How to Calculate and Benchmark in 2026 (HubSpot survey: 21% of all "
        "opportunities, about 29% of qualified ones)",
        "https://salesmotion.io/blog/sales-win-rate-benchmarks-2026",
    ),
    "fairview-win-rate": Source(
        "Win rate glossary: B2B SaaS median 15-25% of all opportunities, 25-45% of qualified",
        "https://getfairview.com/glossary/win-rate",
    ),
    "dealcoach-deal-types": Source(
        "Deal types: new business wins 20-30%, upsell and cross-sell 70-80%",
        "https://dealcoach.io/coaching-deal-type/",
    ),
    "komo-expansion": Source(
        "Customer expansion: 60-70% chance of closing an upsell with an existing customer "
        "(Marketing Metrics, Farris et al.)",
        "https://komo.ai/glossary/customer-expansion",
    ),
    "churn-by-segment": Source(
        "SaaS Churn Rate Benchmarks 2026: monthly logo churn SMB 3-5%, Mid-Market 1.5-3%, "
        "Enterprise 0.7-2%",
        "https://knowledgelib.io/finance/saas-metrics/churn-benchmarks/2026",
    ),
    "startkeel-churn": Source(
        "SaaS churn rate benchmarks: healthy monthly logo churn SMB 3-5%, mid-market 1-2%, "
        "enterprise 0.5-1%",
        "https://www.startkeel.com/benchmarks/saas-churn-rate",
    ),
    "nrr-benchmarkit": Source(
        "Net Revenue Retention Benchmarks 2026 (Benchmarkit and Maxio: private B2B SaaS median "
        "about 101%; SMB under $25K ACV 97%, mid-market 108%, enterprise 118%)",
        "https://www.digitalapplied.com/blog/net-revenue-retention-benchmarks-2026-saas-expansion-data",
    ),
    "saas-capital-retention": Source(
        "SaaS Capital, B2B SaaS Retention Benchmarks (survey of 1,500 private companies)",
        "https://fanyv88.com:443/https/www.scribd.com/document/707761431/B2B-SaaS-Retention-Benchmarks",
    ),
    "nps-saas": Source(
        "What Is a Good NPS Score? SaaS Benchmarks (Retently, CustomerGauge, Survicate: B2B "
        "SaaS around 36, range 31-41)",
        "https://churnward.com/blog/what-is-a-good-nps-score",
    ),
    "nps-segments": Source(
        "NPS Score Benchmarks 2026: B2B SaaS median 38, relationship NPS median 35",
        "https://gtmstack.app/benchmarks/nps-score.html",
    ),
    "csat-surveypal": Source(
        "10 Customer Service Benchmarks (good CSAT 75-84%, 2023 benchmark 77%; FCR average 68%, "
        "good 70-79%)",
        "https://surveypal.com/customer-service-benchmarks/",
    ),
    "csat-software": Source(
        "Customer service metrics benchmark (ACSI: software industry CSAT 78)",
        "https://livex.ai/benchmarks/customer-service-metrics-benchmark",
    ),
    "sqm-fcr": Source(
        "SQM Group: call center FCR benchmark, good 70-79%, average contact center 67-72%",
        "https://www.sqmgroup.com/resources/library/blog/top-5-reasons-improve-first-call-resolution",
    ),
    "tickets-per-customer": Source(
        "Customer Support Metrics: tickets per customer per month, below 0.5 low touch, "
        "0.5-1.0 typical",
        "https://gaspwiki.pages.dev/v1/metrics/support",
    ),
    "contact-ratio": Source(
        "Contact ratio: simple B2B tools 0.2-0.5 contacts per customer per month, moderately "
        "complex 0.5-1.5",
        "https://corebee.ai/learn/contact-ratio",
    ),
    "escalation-rate": Source(
        "Escalation Rate: best practice for B2B SaaS below 10-15% of tickets",
        "https://askotter.ai/glossary/escalation-rate",
    ),
    "license-utilisation": Source(
        "License Utilization: healthy range for mature B2B SaaS 60-85% of seats, below 50% "
        "signals churn risk",
        "https://www.revos.ai/blog/license-utilization",
    ),
    "utilisation-by-tool": Source(
        "SaaS Utilisation Benchmarks: role-specific tools 60-85% of seats active, occasional "
        "tools lower",
        "https://workplacespendexperts.pages.dev/license-right-sizing/saas-utilisation-benchmarks/",
    ),
    "onboarding-30-days": Source(
        "SaaS Customer Onboarding Timeline Template: a 30-day framework to go-live",
        "https://lyniro.com/blog/onboarding-timeline-template/",
    ),
    "onboarding-enterprise": Source(
        "How to Onboard Enterprise SaaS Customers: timeline 3-6 months typical",
        "https://lyniro.com/blog/how-to-onboard-enterprise-saas-customer/",
    ),
    "pilots-openview": Source(
        "Enterprise pilot-to-paid conversion (OpenView: paid pilots convert at 65-75%, free "
        "proofs of concept at 20-30%)",
        "https://pulserevops.com/knowledge/q133",
    ),
    "free-to-paid": Source(
        "Free-to-Paid Conversion Benchmarks: freemium 2-5%, opt-in free trials 18.2%",
        "https://knowledgelib.io/finance/saas-benchmarks/free-to-paid-conversion-benchmarks/2026",
    ),
    "free-to-paid-crm": Source(
        "Free-to-paid conversion rate benchmark: freemium 2-5%, opt-in trials 8-12%",
        "https://www.conversioncrm.co/blog/free-to-paid-conversion-rate-benchmark",
    ),
}

RANGES = (
    Range(
        "new_business_win_rate",
        18,
        32,
        "%",
        "sales.PROSPECT_TRIES, LOST_QUALIFIED",
        ("hubspot-win-rate", "fairview-win-rate", "dealcoach-deal-types"),
        "qualified new-business deals won / qualified ones closed",
    ),
    Range(
        "expansion_win_rate",
        50,
        70,
        "%",
        "lifecycle.LOST_EXPANSION",
        ("dealcoach-deal-types", "komo-expansion"),
        "qualified upsell and cross-sell deals",
    ),
    Range(
        "win_rate",
        32,
        48,
        "%",
        "the two above, and renewals",
        ("hubspot-win-rate", "dealcoach-deal-types"),
        "every qualified deal closed, renewals (won about 85% of the time) included, as "
        "Tandem's win_rate counts them; derived from the ranges above",
    ),
    Range(
        "monthly_churn_SMB",
        2.5,
        5,
        "%",
        "lifecycle.CHURN_BASE",
        ("churn-by-segment", "startkeel-churn"),
    ),
    Range(
        "monthly_churn_Mid-Market",
        0.9,
        2.5,
        "%",
        "lifecycle.CHURN_BASE, ANNUAL_SHARE",
        ("churn-by-segment", "startkeel-churn"),
    ),
    Range(
        "monthly_churn_Enterprise",
        0.25,
        1.2,
        "%",
        "lifecycle.CHURN_BASE, ANNUAL_SHARE",
        ("churn-by-segment", "startkeel-churn"),
        "few Enterprise customers at 2,000 accounts: the range allows for the noise",
    ),
    Range(
        "nrr_12_months",
        92,
        112,
        "%",
        "lifecycle.UP_BASE, DOWN_BASE, CHURN_BASE",
        ("nrr-benchmarkit", "saas-capital-retention"),
        "MRR a year later of the customers of a year ago / their MRR then; a company of "
        "mostly SMB customers, between the SMB (97%) and overall (101-106%) medians",
    ),
    Range("nps", 25, 45, "points", "support.NPS_SCORE", ("nps-saas", "nps-segments")),
    Range("promoters", 40, 60, "%", "support.NPS_SCORE", ("nps-saas", "nps-segments")),
    Range("passives", 20, 40, "%", "support.NPS_SCORE", ("nps-saas", "nps-segments")),
    Range("detractors", 10, 25, "%", "support.NPS_SCORE", ("nps-saas", "nps-segments")),
    Range("csat", 74, 86, "%", "support.CSAT_SCORE", ("csat-surveypal", "csat-software")),
    Range(
        "tickets_per_customer_month",
        0.2,
        1.0,
        "tickets",
        "support.TICKETS_PER_CUSTOMER_MONTH",
        ("tickets-per-customer", "contact-ratio"),
    ),
    Range(
        "first_contact_resolution",
        65,
        80,
        "%",
        "support.CONTACTS_EXTRA",
        ("sqm-fcr", "csat-surveypal"),
    ),
    Range(
        "escalated_tickets",
        5,
        15,
        "%",
        "support.ESCALATION",
        ("escalation-rate",),
        "share of tickets escalated",
    ),
    Range(
        "seat_utilisation",
        38,
        70,
        "%",
        "activity: the active share of seats, USE_SPREAD",
        ("license-utilisation", "utilisation-by-tool"),
        "users seen in the month / seats, over every customer: healthy accounts 60-85%, "
        "at-risk ones below 50%",
    ),
    Range(
        "monthly_active_customers",
        80,
        94,
        "%",
        "activity: usage weights, USE_SPREAD",
        ("license-utilisation", "utilisation-by-tool"),
        "customers with any usage event in the month (Tandem's adoption_rate); no published "
        "benchmark found, derived from the utilisation ranges: a customer whose seats are "
        "below 50% used still has someone logging in most months",
    ),
    Range(
        "onboarding_days_SMB",
        7,
        30,
        "days",
        "onboarding.MEDIAN_DAYS",
        ("onboarding-30-days",),
        "median days from signature to go-live",
    ),
    Range(
        "onboarding_days_Mid-Market",
        25,
        60,
        "days",
        "onboarding.MEDIAN_DAYS",
        ("onboarding-30-days", "onboarding-enterprise"),
    ),
    Range(
        "onboarding_days_Enterprise",
        60,
        120,
        "days",
        "onboarding.MEDIAN_DAYS",
        ("onboarding-enterprise",),
    ),
    Range(
        "pilot_success",
        25,
        65,
        "%",
        "sales.PROSPECT_PILOTS, CUSTOMER_TRIALS",
        ("pilots-openview",),
        "between free proofs of concept and paid pilots",
    ),
    Range(
        "free_to_paid",
        8,
        25,
        "%",
        "company.SIGNUP_SHARE, sales.LATE_CONVERSION",
        ("free-to-paid", "free-to-paid-crm"),
        "free trial and freemium starts converted within 30 days; mostly opt-in trials",
    ),
)
