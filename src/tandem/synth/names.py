"""Word lists for people's and companies' names."""

from __future__ import annotations

FIRST_NAMES = (
    "Ada", "Alan", "Amara", "Ana", "Arjun", "Beatriz", "Bruno", "Camille", "Chen", "Chloe",
    "Daniel", "Dmitri", "Elena", "Emeka", "Fatima", "Felix", "Grace", "Hana", "Hugo", "Ines",
    "Isaac", "Jamal", "Jonas", "Julia", "Kenji", "Lara", "Leon", "Lucia", "Maya", "Mateo",
    "Nadia", "Noah", "Olga", "Omar", "Priya", "Rafael", "Sara", "Sofia", "Tariq", "Yara",
)  # fmt: skip
LAST_NAMES = (
    "Abara", "Almeida", "Becker", "Bianchi", "Castillo", "Dubois", "Eriksen", "Fischer",
    "Garcia", "Haddad", "Hansen", "Ivanova", "Jensen", "Kaur", "Kowalski", "Larsen", "Lopez",
    "Martin", "Mensah", "Moreau", "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Patel",
    "Petrov", "Quinn", "Rossi", "Sato", "Schmidt", "Silva", "Tanaka", "Torres", "Varga",
    "Wagner", "Walsh", "Weber", "Yilmaz", "Zhang",
)  # fmt: skip
COMPANY_STEMS = (
    "Acme", "Apex", "Arbor", "Atlas", "Aurora", "Beacon", "Birch", "Blue Fin", "Cedar",
    "Cobalt", "Copper", "Crescent", "Delta", "Ember", "Evergreen", "Falcon", "Fjord",
    "Granite", "Harbor", "Helix", "Horizon", "Indigo", "Juniper", "Keystone", "Lumen",
    "Maple", "Meridian", "Nimbus", "Northwind", "Oak", "Orbit", "Pioneer", "Quartz", "Redwood",
    "Sable", "Sierra", "Summit", "Tidal", "Vertex", "Willow",
)  # fmt: skip
COMPANY_WORDS = (
    "Analytics", "Bank", "Biotech", "Capital", "Clinics", "Consulting", "Foods", "Freight",
    "Health", "Labs", "Learning", "Logistics", "Media", "Motors", "Networks", "Outfitters",
    "Partners", "Robotics", "Software", "Systems",
)  # fmt: skip
COMPANY_FORMS = ("", " Inc.", " Ltd", " GmbH", " SA", " Group", " LLC", " BV")
