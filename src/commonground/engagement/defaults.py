"""The taxonomies every association starts with (``taxonomy_install_defaults``).

Motivations: the seven of seed 003 (why members belong to a professional association),
framework "seed003"; the demo and the inference use these slugs. The Volunteer Functions
Inventory's six functions (Clary et al., 1998) come too, framework "vfi", inactive until an
association chooses to ask them. Skills and interests are a starter list to edit.
"""

from __future__ import annotations

# (slug, name, description, synonyms)
MOTIVATIONS_SEED003: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("business_development", "Business development and clients",
     "Win clients, referrals and business through the network",
     ("clients", "referrals", "business", "sales", "networking")),
    ("visibility_reputation", "Visibility and reputation",
     "Be seen as an expert: speak, publish, be quoted",
     ("visibility", "reputation", "profile", "thought leadership", "speaking")),
    ("competence_development", "Competence development",
     "Learn, keep up to date, earn continuing education credits",
     ("learning", "skills", "continuing education", "ce", "training")),
    ("career_advancement", "Career advancement and leadership",
     "Get a better job, a promotion, lead",
     ("career", "jobs", "promotion", "leadership")),
    ("community_belonging", "Community and belonging",
     "Be among peers who understand the work",
     ("community", "belonging", "peers", "friends")),
    ("insider_access", "Insider access",
     "Know first: research, standards, briefings, data",
     ("insider", "research", "standards", "early access", "data")),
    ("giving_back", "Giving back",
     "Help the profession and newcomers: mentor, volunteer, advocate",
     ("giving back", "volunteering", "mentoring", "advocacy", "service")),
)

MOTIVATIONS_VFI: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("vfi_values", "Values", "Express altruistic and humanitarian values", ()),
    ("vfi_understanding", "Understanding", "Learn and use skills that would otherwise go unused", ()),
    ("vfi_social", "Social", "Be with friends; do what important others value", ()),
    ("vfi_career", "Career", "Gain career-related experience", ()),
    ("vfi_protective", "Protective", "Reduce guilt or escape personal problems", ()),
    ("vfi_enhancement", "Enhancement", "Grow and feel better about oneself", ()),
)

SKILLS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("public_speaking", "Public speaking", "", ("speaking", "presenting", "keynotes", "talks")),
    ("writing", "Writing and editing", "", ("articles", "editing", "blogging", "publishing")),
    ("teaching", "Teaching and training", "", ("training", "instruction", "course design",
                                                 "lecturing")),
    ("mentoring", "Mentoring and coaching", "", ("coaching", "mentorship")),
    ("research", "Research", "", ("studies", "academic research", "surveys")),
    ("data_analysis", "Data analysis", "", ("analytics", "statistics", "data science")),
    ("policy_advocacy", "Policy and advocacy", "", ("advocacy", "government relations",
                                                     "lobbying", "public policy")),
    ("leadership", "Leadership and management", "", ("management", "team leadership")),
    ("event_planning", "Event planning", "", ("events", "conference organising", "meetups")),
    ("facilitation", "Facilitation and moderation", "", ("moderating", "moderation",
                                                          "facilitating", "workshops")),
    ("fundraising", "Fundraising and sponsorship", "", ("sponsorship", "development", "grants")),
    ("marketing", "Marketing and communications", "", ("communications", "pr", "branding")),
    ("social_media", "Social media", "", ("linkedin", "community management")),
    ("project_management", "Project management", "", ("programme management", "pmp")),
    ("technology", "Technology and software", "", ("software", "it", "digital")),
    ("finance", "Finance and accounting", "", ("accounting", "budgeting", "treasury")),
    ("law_compliance", "Law, ethics and compliance", "", ("legal", "ethics", "regulation",
                                                          "compliance")),
    ("clinical_practice", "Clinical practice", "", ("practice", "patient care", "clinical")),
)

INTERESTS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("research_innovation", "Research and innovation", "", ("research", "innovation")),
    ("standards_practice", "Standards and practice", "", ("standards", "best practice")),
    ("policy", "Policy and regulation", "", ("regulation", "legislation")),
    ("education", "Education and CE", "", ("continuing education", "courses")),
    ("careers", "Careers and new professionals", "", ("students", "early career", "jobs")),
    ("ethics", "Ethics", "", ()),
    ("diversity_inclusion", "Diversity and inclusion", "", ("dei", "inclusion", "equity")),
    ("technology_trends", "Technology trends", "", ("ai", "digital tools")),
    ("practice_management", "Practice and business management", "", ("business", "operations")),
    ("chapters_local", "Chapters and local events", "", ("chapter", "local", "regional")),
)
