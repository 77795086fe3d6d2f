"""Motivations, skills and interests; value derived (outcomes) and value created (contributions,
verified); member-generated peer groups (D4).
"""
