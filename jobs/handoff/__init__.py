"""The training handoff: a deterministic, resumable loader of the tokenize stage's output, and a device check.

Numpy only at import; torch is imported by torch_data and device_check when they are used.
"""

from jobs.handoff.loader import HANDOFF_FORMAT, HandoffLoader, LoaderState, from_handoff
from jobs.handoff.schedule import Rampup

__all__ = ["HANDOFF_FORMAT", "HandoffLoader", "LoaderState", "Rampup", "from_handoff"]
