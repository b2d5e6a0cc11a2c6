"""Running a city's installation in the browser: staff accounts, the agency tree, bulk imports and
exports, and the audit trail. Admins do everything; a supervisor manages the staff of their own
agency subtree (never an admin account). Outside that scope every page is a 404."""
