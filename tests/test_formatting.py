import pytest

from cakupan import formatting as fmt


@pytest.mark.parametrize(
    "value, lang, expected",
    [
        (89.3, "id", "89,3"), (89.3, "en", "89.3"),
        (143000, "id", "143.000"), (143000, "en", "143,000"),
        (112000.0, "id", "112.000"), (43.0, "en", "43"),
        (1_300_000, "id", "1,3 juta"), (1_300_000, "en", "1.3 million"),
        (1_234_567, "id", "1.234.567"), (0.25, "id", "0,25"), (1_250_000, "en", "1,250,000"),
        (1_250_000_000, "id", "1.250.000.000"), (2_000_000_000, "id", "2 miliar"),
    ],
)  # fmt: skip
def test_number(value, lang, expected):
    assert fmt.number(value, lang) == expected


def test_percent_amount_date_difference():
    assert [fmt.percent(41.2), fmt.percent(41.2, "en"), fmt.percent(None)] == ["41,2%", "41.2%", ""]
    assert fmt.amount(1_300_000, "workers", "more_than") == "lebih dari 1,3 juta pekerja"
    assert fmt.amount(1_300_000, "workers", "more_than", "en") == "more than 1.3 million workers"
    assert fmt.amount(112000.0, "workers", "about") == "sekitar 112.000 pekerja"
    assert fmt.amount(55, "percent", "up_to", "en") == "up to 55%"
    assert [fmt.date_id("2024-10-02"), fmt.date_en("2024-10-02"), fmt.date_id(None)] == [
        "2 Oktober 2024", "2 October 2024", "",
    ]  # fmt: skip
    assert [fmt.difference(4.5), fmt.difference(-2), fmt.difference(0)] == ["+4,5", "-2", "0"]
    assert fmt.difference(-1.5, "en", "percentage_points") == "-1.5 percentage points"


def test_file_sizes_as_a_download_link_shows_them():
    sizes = [0, 62_400, 999_499, 1_234_567, 6_300_000]
    assert [fmt.file_size(n) for n in sizes] == ["1 kB", "62 kB", "999 kB", "1,2 MB", "6,3 MB"]
    english = [fmt.file_size(n, "en") for n in sizes]
    assert english == ["1 kB", "62 kB", "999 kB", "1.2 MB", "6.3 MB"]


def test_bad_language_and_unit_are_named():
    with pytest.raises(ValueError, match="language 'fr': expected one of id, en"):
        fmt.number(1, "fr")
    with pytest.raises(ValueError, match="unit 'rupiah': expected one of percent"):
        fmt.amount(1, "rupiah")


def test_template_filters():
    import jinja2

    from plugins import template_filters

    env = jinja2.Environment()
    template_filters.prepare_jinja2_environment(env)
    page = env.from_string(
        "{{ 24640|id_number }} {{ 24640|en_number }} {{ 41.2|id_percent }} {{ none|id_date }}|"
        "{{ 1300000|id_amount('workers', 'more_than') }}|{{ 1300000|en_amount('workers', 'about') }}|"
        "{{ '2024-10-02'|id_date }}|{{ -2.5|en_difference('percentage_points') }}|{{ 43.0|id_percent }}"
    ).render()
    assert page == (
        "24.640 24,640 41,2% |lebih dari 1,3 juta pekerja|about 1.3 million workers|"
        "2 Oktober 2024|-2.5 percentage points|43%"
    )
