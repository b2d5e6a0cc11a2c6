"""Absences and stand-ins: recording them (the model and what reads it live in ``auth/absences.py``)."""
