"""Report metadata: jurisdiction (dated division table), dates and years, report type, sections.

report.py is the entry point (extract_metadata) and lists the rules in the order it applies them;
cues.py reads their vocabulary; text.py, title.py, jurisdiction.py, delivery.py, period.py and kind.py
hold one rule each; dating.py weighs the period's evidence, gazetteer.py holds the places and
sections.py finds a report's parts.
"""

from etl.metadata.cues import CUES_FILE, Cues, MetadataCuesError, load_cues
from etl.metadata.kind import other_body_speaker
from etl.metadata.report import extract_metadata

__all__ = ["CUES_FILE", "Cues", "MetadataCuesError", "extract_metadata", "load_cues", "other_body_speaker"]
