"""The balance view (D7, seed 000): mission performance and business performance side by
side per month, never merged into one number, and every offering placed on both axes
(social reach against economic revenue or margin) so the paradox of the seed — high social
imprint, low economic productivity — can be seen and discussed.

The models are ``planning.models``' (``BalanceMetric``, ``BalanceSnapshot``, ``OfferingCost``,
``OfferingFigure``). ``services`` holds the writes (which metrics sit on which side, offering costs, the
monthly snapshots the daily job takes), ``figures`` the set-based offering figures,
``selectors`` what the page, the API and the command read (stored figures only), and
``charts`` the two side charts and the quadrant chart.
"""
