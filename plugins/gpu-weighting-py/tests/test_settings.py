"""Settings: defaults, every key read, and errors in the Rust policy's words."""

import pytest

from fulcrum_policy import PolicyError
from gpu_weighting.settings import Settings, parse_settings


def test_empty_object_gives_the_defaults():
    assert parse_settings("{}") == Settings()


def test_every_setting_is_read_as_f32_where_rust_keeps_f32():
    settings = parse_settings(
        '{"memory_weight": 1, "compute_weight": 0, "min_ratio": 5, "max_ratio": 500,'
        ' "hot_temperature_c": 90, "hot_penalty": 0.1, "throttle_penalty": 0, "smoothing": 0,'
        ' "disable_unhealthy": false, "min_healthy_share": 0.5, "pools": ["mlPool"]}'
    )
    assert settings == Settings(1.0, 0.0, 5, 500, 90.0, 0.10000000149011612, 0.0, 0.0, False, 0.5, ("mlPool",))
    assert settings.manages("mlPool") and not settings.manages("otherPool")
    assert Settings().manages("anyPool")


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"max_ratio": 0}', "settings.max_ratio: 0 is out of range; expected 1..=65535"),
        ('{"min_ratio": 70000}', "settings.min_ratio: 70000 is out of range; expected 1..=65535"),
        ('{"memory_weight": 1.5}', "settings.memory_weight: 1.5 is out of range; expected 0..=1"),
        ('{"smoothing": 1}', "settings.smoothing: 1 is out of range; expected 0 ≤ smoothing < 1"),
        ('{"hot_temperature_c": 20}', "settings.hot_temperature_c: 20 is out of range; expected 30..=120"),
        ('{"min_ratio": 100, "max_ratio": 100}', "settings.min_ratio: 100 must be less than max_ratio (100)"),
        ('{"memory_weight": 0, "compute_weight": 0}',
         "settings.memory_weight, settings.compute_weight: both are 0; at least one must be positive"),
        ('{"pools": []}', "settings.pools: an empty list manages no pool; leave it out to manage every pool"),
        ('{"max_ratio": -3}', "settings.max_ratio: invalid value: integer `-3`, expected u64"),
        ('{"smoothing": "high"}', 'settings.smoothing: invalid type: string "high", expected f64'),
        ('{"min_ratio": 2.0}', "settings.min_ratio: invalid type: floating point `2.0`, expected u64"),
        ('{"pools": ["a", 1]}', "settings.pools: invalid type: integer `1`, expected a string"),
        ('{"disable_unhealthy": 1}', "settings.disable_unhealthy: invalid type: integer `1`, expected a boolean"),
        ('{"hot_penalty": 2, "throttle_penalty": -1}',
         "settings.hot_penalty: 2 is out of range; expected 0..=1; "
         "settings.throttle_penalty: -1 is out of range; expected 0..=1"),
    ],
)
def test_errors_name_the_setting(text, expected):
    with pytest.raises(PolicyError) as error:
        parse_settings(text)
    assert str(error.value) == expected


def test_unknown_keys_and_non_objects_are_refused():
    with pytest.raises(PolicyError, match=r"^settings: unknown field `foo`, expected one of `memory_weight`"):
        parse_settings('{"smoothing": 0.2, "foo": 1}')
    with pytest.raises(PolicyError, match=r"^settings: expected a JSON object: "):
        parse_settings("[1]")
    with pytest.raises(PolicyError, match=r"^settings: expected a JSON object: "):
        parse_settings('{"smoothing": NaN}')


def test_null_means_not_given():
    assert parse_settings('{"smoothing": null, "pools": null}') == Settings()
