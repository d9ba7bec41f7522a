from sync.value_display import format_number, format_value


def test_null_stays_visibly_null_not_zero() -> None:
    assert format_value(None, "ratio") == "null"
    assert format_number(None) == ""


def test_large_currency_is_written_out_not_in_exponent_form() -> None:
    assert format_value(12000.0, "currency") == "12,000.00"


def test_ratios_above_one_are_not_percentages() -> None:
    # activities_per_won_deal: 4,045 activities / 124 won deals = 32.621
    assert format_value(4045 / 124, "ratio") == "32.621"


def test_numerators_are_exact_when_whole() -> None:
    assert format_number(124.0) == "124"
    assert format_number(6349.5) == "6,349.50"
