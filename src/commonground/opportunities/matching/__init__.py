"""Matching members to an opportunity on common ground: ranked, with reasons and gaps.

Every member gets a fit between 0 and 1 from these parts, each 0–1, weighed and
normalised over the parts that apply to the opportunity (an opportunity naming no
motivation does not reward or punish anyone on motivation):

========== ===== ===========================================================================
part       weight what
========== ===== ===========================================================================
skills     0.35  required skills held (proficiency / 5, a missing one counts 0), half as much
                 for nice-to-have ones, and the lexical match of the opportunity's words with
                 the member's (TF-IDF over skill and interest names, trait notes, contribution
                 and outcome titles; taxonomy synonyms fold into one token per entry)
experience 0.10  verified contributions of the kinds the opportunity calls for (talks for a
                 speaker, mentoring for a mentor…), up to three
motivation 0.20  the motivations it serves: the strongest one the member holds, and the mean
interest   0.08  the same for the interests it touches
engagement 0.10  the engagement score / 100 (scoring)
recency    0.07  how lately the member's last verified contribution was (a one-year decay)
availability 0.10 not asked this quarter (1), asked once (0.5), asked twice or holding two
                 accepted commitments (0)
location   0.10  same chapter, for an in-person opportunity tied to a chapter
========== ===== ===========================================================================

A trait counts once per person, from the best source: the member's own answer, else
staff's, else the inferred one (engagement's rule).

Speed: everything per person lives in a ``MemberIndex`` — NumPy arrays and SciPy sparse
matrices (people × traits, people × words), built in one read of the database and cached
in the process and on disk under ``DATA_DIR`` until what it was built from changes (the
signature: counts and last changes of people, traits, contributions, outcomes, and the
taxonomy itself). A match is then a few sparse matrix-vector products over all members
plus the live parts read fresh (scores, who was asked this quarter); only the top N get
their reasons written out.

Semantic matching (``semantic``) joins the lexical part when sentence-transformers and the
model are installed; never required.
"""

from .index import MemberIndex, build_index, clear_cache, index_path, member_index
from .rank import match, suggestions_for
from .reasons import fit_summary, motivation_phrase
from .results import Candidate, MatchResult, Spec
from .text import WEIGHTS

__all__ = ["WEIGHTS", "Candidate", "MatchResult", "MemberIndex", "Spec", "build_index",
           "clear_cache", "fit_summary", "index_path", "match", "member_index",
           "motivation_phrase", "suggestions_for"]
