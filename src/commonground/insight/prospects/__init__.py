"""Prospects (D5): who, among the people who are not members, is most likely to join.

``features`` (who is a prospect at a date and what they did before it), ``sql`` (activity
per person and day), ``wording`` (features in staff words, the rule-based points),
``services`` (train, score, evaluate), ``selectors`` (the page's and the API's reads),
``tasks`` (weekly retrain, daily rescoring).
"""
