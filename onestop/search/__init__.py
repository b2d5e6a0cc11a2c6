"""Finding any dossier in scope from the header of every page."""
