"""The learning kernel shared by the lapse and prospect models (D5), free of Django.

A model kind declares its :class:`Feature` s (name, staff label, group, and how a value is
worded as a reason); its feature builder produces :data:`Examples` — one row per past
decision ``(person_id, cutoff)`` with a 0/1 ``label`` and numeric feature columns computed
as of the cutoff; :func:`fit` trains a calibrated LightGBM model on a time-based split and
measures it on the latest decisions it never saw; :func:`predict` and :func:`reasons` score
people now and say why in staff words. When the history is too short (:func:`too_small`
says why and what is needed), :func:`fit_rules` gives the transparent rule-based score
through the same :class:`Fitted` interface, so callers never branch on the method.
"""

from .features import Examples, Feature, FeatureSet, check_examples
from .fitting import Fitted, fit, fit_rules, too_small
from .metrics import evaluate
from .scoring import band_of, predict, reasons

__all__ = [
    "Examples", "Feature", "FeatureSet", "Fitted", "band_of", "check_examples", "evaluate",
    "fit", "fit_rules", "predict", "reasons", "too_small",
]
