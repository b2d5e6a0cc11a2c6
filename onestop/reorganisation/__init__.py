"""Reorganisation: dissolving agencies into their successors, carrying the running dossiers over.

``plan.py`` reads and checks a plan file; ``apply.py`` moves everything with set-based statements
and refuses the whole plan when a running dossier would be left without a possible holder.
``flask --app onestop reorganise PLAN.toml`` (dry run unless ``--apply``) runs it.
"""
