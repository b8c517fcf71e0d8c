"""The certification's structure that items are tagged with.

Sources: SB 803 (2020) names the 17 core competencies; CalMHSA's exam outline names
the 8 areas of focus. Items refer to competencies by number and to areas by name.
"""

EXAM_AREAS = (
    "Administrative Responsibilities",
    "Behavioral Health Foundations",
    "Interpersonal Skills",
    "Recovery Support",
    "Advocacy",
    "Community Inclusion",
    "Resource Linkage",
    "Crisis Management",
)


def weakest_areas(totals: dict, most: int = 2) -> list[str]:
    """The exam areas with the lowest share of points earned, below full marks, lowest first
    (ties in the outline's order). totals: {area: (earned, possible, ...)}."""
    shares = sorted((tally[0] / tally[1], EXAM_AREAS.index(area), area)
                    for area, tally in totals.items() if tally[0] < tally[1])
    return [area for *_, area in shares[:most]]

COMPETENCIES = {
    1: "Hope, recovery and wellness",
    2: "Role of advocacy",
    3: "Role of consumers and family members",
    4: "Psychiatric rehabilitation and addiction recovery principles",
    5: "Cultural and structural competence",
    6: "Trauma-informed care",
    7: "Group facilitation",
    8: "Self-awareness and self-care",
    9: "Co-occurring disorders",
    10: "Conflict resolution",
    11: "Professional boundaries and ethics",
    12: "Preparing for employment",
    13: "Safety and crisis planning",
    14: "Navigation and referral",
    15: "Documentation",
    16: "Confidentiality",
    17: "Digital literacy",
}
