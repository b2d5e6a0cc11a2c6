"""Files sent in a body: checked before anything is written, each problem a field error."""
from flask_babel import gettext as _

from onestop.api.problems import Problem
from onestop.core import storage


def check_files(files: list[dict], field: str = "files") -> None:
    errors = []
    for i, file in enumerate(files):
        problem = storage.problem(file["content"])
        if problem:
            errors.append({"field": f"{field}.{i}.content", "pointer": f"#/{field}/{i}/content", "detail": problem})
    if errors:

        raise Problem(422, "invalid", _("Dữ liệu gửi lên không hợp lệ."), errors=errors)


def field_problem(field: str, detail: str) -> Problem:

    return Problem(422, "invalid", _("Dữ liệu gửi lên không hợp lệ."),
                   errors=[{"field": field, "pointer": "#/" + field.replace(".", "/"), "detail": detail}])
