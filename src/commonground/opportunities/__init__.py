"""What the association needs, matched to members on common ground: skills, motivations, availability;
invitations through to a contribution (D4).
"""
