"""The language of official papers.

The slips, the tracking ledger and the report files (CSV, XLSX) are official papers in Vietnamese,
whatever the language of the page around them: the words they take from the app (status, action
labels) are read in this language.
"""
from flask_babel import force_locale

PAPER_LOCALE = "vi"


def on_paper():
    """``with on_paper(): …`` reads every translated text in the papers' language."""
    return force_locale(PAPER_LOCALE)
