"""What the demo's members want, can do, get and give (D4): plain data for ``engagement_seed``.

Weights are over the seed's seven motivations, in ``catalogue.MOTIVATIONS`` order (business
development, visibility, competence, career, belonging, insider access, giving back): a
member's hidden motivation shares times a row's weights decide how likely they hold the
skill, report the outcome or make the contribution, so what the demo shows follows the
same hidden profiles as the activity stream and the renewals.
"""

from __future__ import annotations

# Motivations the demo needs, in case the engagement app's defaults are not installed: the
# engagement app's `taxonomy_install_defaults` owns names and synonyms.
MOTIVATION_NAMES = {
    "business_development": "Business development and clients",
    "visibility_reputation": "Visibility and reputation",
    "competence_development": "Competence development",
    "career_advancement": "Career advancement and leadership",
    "community_belonging": "Community and belonging",
    "insider_access": "Insider access",
    "giving_back": "Giving back to the profession",
}

# slug, name, synonyms, weights over the motivations. Slugs the engagement app's starter
# list has keep its names; the others are the demo association's own entries.
SKILLS: list[tuple[str, str, list[str], tuple[float, ...]]] = [
    ("public_speaking", "Public speaking", ["speaking", "presenting", "keynotes"],
     (.6, 1.0, .1, .4, .1, .1, .3)),
    ("writing", "Writing and editing", ["article writing", "editing", "blogging"],
     (.2, .9, .3, .2, .1, .3, .4)),
    ("teaching", "Teaching and training", ["training", "instruction", "course design"],
     (.1, .4, .6, .2, .1, .1, .8)),
    ("mentoring", "Mentoring", ["coaching", "advising new members"], (0, .1, .1, .3, .5, 0, 1.0)),
    ("facilitation", "Community moderation", ["moderating", "facilitation"],
     (0, .2, .1, 0, .9, .1, .7)),
    ("event_planning", "Event organising", ["event planning", "meetups"],
     (.4, .4, 0, .3, .9, .1, .4)),
    ("research", "Research methods", ["study design", "statistics", "evidence review"],
     (0, .2, 1.0, .2, 0, .6, .1)),
    ("data_analysis", "Data analysis", ["analytics", "data science", "spreadsheets"],
     (.3, .1, .8, .5, 0, .4, 0)),
    ("leadership", "Team leadership", ["management", "people management"],
     (.3, .3, .2, 1.0, .2, .2, .3)),
    ("policy_advocacy", "Policy and advocacy", ["public policy", "lobbying", "government relations"],
     (0, .3, .1, .1, .2, .8, .8)),
    ("law_compliance", "Standards and compliance", ["regulation", "compliance", "accreditation"],
     (.3, 0, .5, .2, 0, 1.0, .2)),
    ("consulting", "Consulting", ["advisory", "client work"], (1.0, .4, .2, .3, 0, .3, 0)),
    ("fundraising", "Sales and partnerships", ["business development", "sponsorship", "fundraising"],
     (1.0, .5, 0, .3, .1, .2, .1)),
    ("clinical_practice", "Clinical practice", ["clinical care", "patient care"],
     (.2, .1, .5, .2, .2, .1, .3)),
    ("public_health", "Public health", ["epidemiology", "population health"],
     (0, .1, .4, .1, .2, .3, .6)),
    ("technology", "Health technology", ["digital health", "informatics", "software"],
     (.5, .3, .6, .4, 0, .4, 0)),
    ("equine_dentistry", "Equine dentistry", ["horse dentistry", "equine dental care"],
     (.1, .1, .3, .1, .1, .1, .1)),
]
# The skill a member's (custom field) specialty gives them.
SPECIALTY_SKILL = {"Clinical practice": "clinical_practice", "Research": "research",
                   "Education": "teaching", "Management": "leadership", "Policy": "policy_advocacy",
                   "Consulting": "consulting", "Technology": "technology",
                   "Public health": "public_health"}

# slug, name, synonyms, weights over the motivations
INTERESTS: list[tuple[str, str, list[str], tuple[float, ...]]] = [
    ("annual_conference", "The annual conference", ["conference"], (.8, .7, .4, .4, .6, .2, .2)),
    ("research_innovation", "Research and evidence", ["research"], (0, .1, .9, .1, 0, 1.0, .1)),
    ("policy", "Policy and regulation", ["advocacy", "legislation"], (.1, .2, .1, 0, .2, .9, .8)),
    ("careers", "Career growth", ["jobs", "career"], (.1, .3, .6, 1.0, 0, 0, 0)),
    ("standards_practice", "Standards and practice", ["standards"], (.2, 0, .5, .1, 0, .9, .2)),
    ("education", "Education and CE", ["courses"], (0, 0, 1.0, .5, 0, .1, 0)),
    ("ethics", "Ethics and professional practice", ["ethics"], (0, 0, .5, .1, .2, .2, .7)),
    ("technology_trends", "Technology and innovation", ["innovation", "technology"],
     (.7, .4, .6, .4, 0, .6, 0)),
    ("chapters_local", "My local chapter", ["chapter", "meetups"], (.4, .2, 0, .2, 1.0, 0, .5)),
    ("mentoring_programme", "The mentoring programme", ["mentoring"], (0, 0, .3, .6, .5, 0, .9)),
    ("practice_management", "Running a practice", ["business", "practice management"],
     (1.0, .4, .2, .2, 0, .3, 0)),
]

# Outcome kind → weights over the motivations, and title templates ({offering}: the
# offering it came from, when there is one).
OUTCOMES: dict[str, tuple[tuple[float, ...], list[str], list[str]]] = {
    "client_won": ((1.0, .3, 0, 0, 0, .1, 0),
                   ["New client from a conference contact", "Contract won through a member referral",
                    "Consulting engagement after a chapter meetup"],
                   ["Annual Conference", "Regional Chapter Meetups"]),
    "promotion": ((0, .1, .2, 1.0, 0, 0, 0),
                  ["Promoted to team lead", "New role as practice manager", "Promoted after the "
                   "Leadership Academy"], ["Leadership Academy"]),
    "certification": ((0, 0, 1.0, .4, 0, 0, 0),
                      ["Passed the certification exam", "Renewed my credential with CE credits"],
                      ["Certification Prep Course", "Continuing Education Webinars"]),
    "new_skill": ((0, 0, 1.0, .3, 0, .2, 0),
                  ["Learned a new documentation workflow", "Applied a webinar technique at work",
                   "Picked up data analysis skills"], ["Continuing Education Webinars",
                                                       "Ethics Refresher (CE)"]),
    "connection": ((.4, .2, 0, .2, 1.0, 0, .2),
                   ["Met a peer I now call every month", "Found a mentor", "Connected with a "
                    "collaborator"], ["Annual Conference", "Peer Mentoring Circles",
                                      "Online Member Forum"]),
    "visibility": ((.2, 1.0, 0, .2, 0, 0, 0),
                   ["Quoted in the trade press", "Invited to speak after my forum posts",
                    "Featured in the member spotlight"], ["Public Awareness Campaign"]),
    "insight": ((.3, 0, .2, 0, 0, 1.0, 0),
                ["Early look at the new standard", "Salary benchmarks for my pay review",
                 "Policy briefing ahead of the rule change"], ["Annual Salary Survey",
                                                               "Industry Council Briefings",
                                                               "Research Briefs"]),
    "problem_solved": ((0, 0, .3, 0, .5, 0, .4),
                       ["Solved a tricky case with forum advice", "Peers helped with a compliance "
                        "question"], ["Online Member Forum"]),
}

# Contribution kind → weights over the motivations, titles, offerings, typical hours.
CONTRIBUTIONS: dict[str, tuple[tuple[float, ...], list[str], list[str], tuple[float, float]]] = {
    "talk": ((.4, 1.0, 0, .3, 0, 0, .2), ["Talk at the annual conference: {topic}",
                                          "Chapter meetup talk: {topic}", "Webinar: {topic}"],
             ["Annual Conference", "Regional Chapter Meetups", "Continuing Education Webinars"],
             (2, 12)),
    "article": ((.1, .8, .2, .2, 0, .3, .3), ["Article in the Journal of Practice: {topic}",
                                              "Blog post for members: {topic}"],
                ["Journal of Practice"], (4, 20)),
    "teaching": ((0, .3, .3, .1, 0, 0, .8), ["Taught a certification prep session on {topic}",
                                             "Ran a CE workshop: {topic}"],
                 ["Certification Prep Course", "Continuing Education Webinars"], (3, 16)),
    "mentoring": ((0, 0, 0, .2, .4, 0, 1.0), ["Mentored new members this term",
                                              "Mentoring circle lead"],
                  ["Peer Mentoring Circles"], (4, 30)),
    "moderating": ((0, .2, 0, 0, .8, 0, .6), ["Moderated the {forum} forum"],
                   ["Online Member Forum"], (5, 40)),
    "chapter_leadership": ((.2, .3, 0, .6, .7, 0, .5), ["Chapter committee: meetups organiser",
                                                        "Chapter chair"],
                           ["Regional Chapter Meetups"], (10, 60)),
    "committee": ((0, .2, 0, .5, .2, .6, .6), ["Standards committee member",
                                               "Conference programme committee",
                                               "Ethics committee review"], [], (6, 40)),
    "referral": ((.5, 0, 0, 0, .6, 0, .4), ["Referred a colleague who joined",
                                            "Brought two new members in"], [], (1, 2)),
    "corporate_intro": ((1.0, .2, 0, 0, 0, .3, 0), ["Introduced a sponsor for the conference",
                                                    "Corporate partnership introduction"],
                        ["Annual Conference"], (1, 4)),
    "programme_innovation": ((.2, .3, .4, .3, .1, .3, .5), ["Proposed a new member benefit",
                                                            "Piloted a peer review programme"],
                             [], (5, 30)),
    "discovered_demand": ((.4, 0, .3, 0, 0, .5, .2), ["Spotted demand for a course on {topic}",
                                                      "Flagged a gap in the standards handbook"],
                          [], (1, 3)),
    "volunteering": ((0, 0, 0, .1, .5, 0, 1.0), ["Volunteered at the annual conference",
                                                 "Capitol Hill Day volunteer"],
                     ["Annual Conference", "Capitol Hill Day"], (3, 16)),
}
TOPICS = ("documentation that survives an audit", "the new practice standard", "data privacy in "
          "practice", "running a small practice", "evidence-based care", "ethics dilemmas",
          "career paths for new professionals", "telehealth", "workforce shortages",
          "measuring outcomes")
FORUMS = ("Clinical practice", "Research corner", "Career advice", "Policy and advocacy")
GOALS = ("Grow student membership", "Raise the profession's profile", "Keep members renewing")

# name, slug, purpose, forum (the activity stream's forum whose posts are the group's work),
# status, the motivation its organisers and members lean to
PEER_GROUPS: list[tuple[str, str, str, str, str, str]] = [
    ("Early-career research circle", "early-career-research",
     "Monthly journal club and study-design clinic for members in their first years of research.",
     "Research corner", "approved", "competence_development"),
    ("New professionals network", "new-professionals",
     "Peer support for students and new graduates: first jobs, exams and the first year in practice.",
     "Students and new professionals", "approved", "community_belonging"),
    ("Rural practice network", "rural-practice",
     "Practitioners outside the big cities sharing cover, referrals and hard-won tips.",
     "", "proposed", "giving_back"),
]

# What the association needs (opportunities): open ones, one that staff filled, one closed.
# Skills by slug (the engagement app's starter list and the demo's own); ``answers``: how
# the invited members answered, in order (None: not yet); ``completed``: the accepted ones
# have done it (a contribution waiting for verification).
OPPORTUNITIES: list[dict] = [
    {"type": "speaker", "title": "Speaker for the spring conference: the new practice standard",
     "description": "A 30-minute session for practitioners on what changes with the new "
                    "standard and how to get ready. Slides reviewed by the programme committee.",
     "required": ["public_speaking"], "nice": ["law_compliance", "clinical_practice"],
     "motivations": ["visibility_reputation", "giving_back"], "interests": ["standards_practice"],
     "capacity": 3, "in_days": 120, "hours": 12},
    {"type": "article", "title": "Article for the Journal of Practice: documentation that survives an audit",
     "description": "2,000 words with a worked example; an editor helps with the draft.",
     "required": ["writing"], "nice": ["clinical_practice", "law_compliance"],
     "motivations": ["visibility_reputation", "competence_development"], "remote": True,
     "capacity": 2, "in_days": 60, "hours": 10},
    {"type": "mentor", "title": "Mentors for the new-member programme",
     "description": "Meet a new member once a month for six months: their first year, exams, "
                    "finding their feet.",
     "required": ["mentoring"], "nice": ["leadership"],
     "motivations": ["giving_back", "community_belonging"], "interests": ["careers"],
     "remote": True, "capacity": 10, "in_days": 14, "hours": 20},
    {"type": "moderator", "title": "Moderator for the Clinical practice forum",
     "description": "Welcome newcomers, keep threads on topic, flag questions for experts. "
                    "About two hours a week.",
     "required": ["facilitation"], "nice": ["clinical_practice"],
     "motivations": ["community_belonging", "giving_back"], "remote": True, "capacity": 2,
     "hours": 40},
    {"type": "chapter_host", "title": "Chapter host for the autumn meetup",
     "description": "Find a venue, line up a speaker and welcome members for an evening.",
     "required": ["event_planning"], "nice": ["public_speaking"],
     "motivations": ["community_belonging", "business_development"],
     "interests": ["chapters_local"], "chapter": True, "capacity": 2, "in_days": 45, "hours": 15},
    {"type": "expert_consultant", "title": "Expert consultant: equine dentistry cases",
     "description": "Answer members' case questions in your specialty within two working days.",
     "required": ["equine_dentistry"], "nice": ["clinical_practice"],
     "required_text": "equine dentistry, horse dental care",
     "motivations": ["giving_back", "visibility_reputation"], "remote": True, "capacity": 3,
     "hours": 10},
    {"type": "committee_seat", "title": "Seat on the standards committee",
     "description": "Review drafts of the practice standards; four meetings a year.",
     "required": ["law_compliance"], "nice": ["research", "policy_advocacy"],
     "motivations": ["insider_access", "career_advancement"], "capacity": 1, "in_days": 30,
     "hours": 40},
    {"type": "course", "title": "Teach the certification prep course (evening cohort)",
     "description": "Eight online evenings with a cohort of about twenty; materials provided.",
     "required": ["teaching"], "nice": ["clinical_practice"],
     "motivations": ["giving_back", "competence_development", "visibility_reputation"],
     "interests": ["education"], "remote": True, "capacity": 2, "in_days": 90, "hours": 30},
    {"type": "speaker", "title": "Webinar presenter: data privacy in practice",
     "description": "A one-hour member webinar with questions; we handle the technology.",
     "required": ["public_speaking"], "nice": ["data_analysis", "technology"],
     "motivations": ["visibility_reputation", "business_development"], "remote": True,
     "capacity": 1, "in_days": 30, "hours": 6},
    {"type": "article", "title": "Member spotlight interviews",
     "description": "Interview a fellow member for the newsletter's spotlight, once a quarter.",
     "required": ["writing"], "nice": ["social_media"],
     "motivations": ["visibility_reputation", "community_belonging"], "remote": True,
     "capacity": 4, "in_days": 20, "hours": 3},
    {"type": "mentor", "title": "Career coach for students at the annual conference",
     "description": "Thirty-minute CV and career conversations at the student booth.",
     "required": ["mentoring"], "nice": ["leadership"],
     "motivations": ["giving_back", "career_advancement"], "interests": ["careers"],
     "capacity": 5, "in_days": 110, "hours": 8},
    {"type": "other", "title": "Policy working group: workforce shortages",
     "description": "Gather evidence and draft the association's position for the spring "
                    "legislative session.",
     "required": ["policy_advocacy"], "nice": ["data_analysis", "research"],
     "motivations": ["giving_back", "insider_access"], "interests": ["policy"], "remote": True,
     "capacity": 6, "in_days": 30, "hours": 20},
    {"type": "speaker", "title": "Panel at the chapter leaders' summit",
     "description": "Share how your chapter grew its meetups.",
     "required": ["public_speaking"], "nice": ["event_planning"],
     "motivations": ["visibility_reputation", "community_belonging"], "capacity": 2,
     "in_days": 10, "hours": 4, "status": "filled", "answers": ("accept", "accept", None)},
    {"type": "article", "title": "Case studies for the annual report",
     "description": "Short stories of members' work for the annual report.",
     "required": ["writing"], "motivations": ["visibility_reputation"], "remote": True,
     "capacity": 3, "hours": 4, "status": "closed", "answers": ("accept", "decline", "accept"),
     "completed": True},
]
