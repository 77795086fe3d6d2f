"""Spaces of negotiation (D7): regulation meetings with agendas drafted from the data,
minutes, action items that carry over, circulation by email and the in-app inbox, the
operations manual, joint decisions both sides sign, and dual-input forms (appraisals,
schedules). Seed 000: keep the tension alive through formal structures."""
