"""Partnerships across sectors (D9, seed 004): the charter, stakeholders and the common
ground, partners and what they bring, due diligence, trust, the exchange case,
constraints, objectives, roles, the relationship's stage, and every joint product's
approval and verification with public credit for each partner."""
