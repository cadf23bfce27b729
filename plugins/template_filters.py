"""Number formats for cakupan's templates: 43.0 shows as 43, 24640 as 24.640 (Indonesian)."""

from datasette import hookimpl

from cakupan.citations import number_id


def pct(value) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["pct"] = pct
    env.filters["id_number"] = lambda v: "" if v is None else number_id(float(v))
