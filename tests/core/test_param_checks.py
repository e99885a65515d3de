"""The parameter checker accepts and refuses each kind at its boundaries; docstring parsing.

Written against surviving mutants of ``src/lamina/params.py`` (scripts/mutation.sh): every
row is a value just inside or just outside what a kind allows.
"""

from __future__ import annotations

import pytest

from lamina.params import MISSING, Param, ValueChecker, parse_arg_docs, summary_of

CHECK = ValueChecker(activations=frozenset({"relu", "tanh"}))

ACCEPTED = [
    ("bool", {}, True),
    ("int", {"min": 1, "max": 3}, 1),
    ("int", {"min": 1, "max": 3}, 3),
    ("float", {"min": 0.0, "max": 1.0}, 0.0),
    ("float", {"min": 0.0, "max": 1.0}, 1),
    ("str", {}, "x"),
    ("choice", {"choices": ("a", "b")}, "b"),
    ("choice", {}, "anything"),
    ("int_or_tuple", {}, 1),
    ("int_or_tuple", {}, [1, 2]),
    ("shape", {}, [1, -1, None]),
    ("shape", {}, ()),
    ("activation", {}, "tanh"),
    ("regularizer", {}, "l1_l2"),
    ("regularizer", {}, {"l1": 0, "l2": 0.5}),
    ("learning_rate", {}, 0.01),
    ("list", {}, (1,)),
    ("dict", {}, {}),
    ("any", {}, object()),
]

REFUSED = [
    ("bool", {}, 1, "expected true or false, got 1"),
    ("int", {}, True, "expected an int, got True"),
    ("int", {}, 1.0, "expected an int, got 1.0"),
    ("int", {"min": 1, "max": 3}, 0, "expected a value >= 1, got 0"),
    ("int", {"min": 1, "max": 3}, 4, "expected a value <= 3, got 4"),
    ("float", {}, False, "expected a number, got False"),
    ("float", {}, "1", "expected a number, got '1'"),
    ("float", {"min": 0.0, "max": 1.0}, -0.001, "expected a value >= 0.0, got -0.001"),
    ("float", {"min": 0.0, "max": 1.0}, 1.001, "expected a value <= 1.0, got 1.001"),
    ("str", {}, 1, "expected a string, got 1"),
    ("choice", {"choices": ("a", "b")}, "c", "expected one of 'a', 'b', got 'c'"),
    ("int_or_tuple", {}, 0, "expected a positive int or a list of positive ints, got 0"),
    ("int_or_tuple", {}, [], "expected a positive int or a list of positive ints, got []"),
    (
        "int_or_tuple",
        {},
        [2, True],
        "expected a positive int or a list of positive ints, got [2, True]",
    ),
    ("shape", {}, [0], "expected a list of positive ints (or -1), got [0]"),
    ("shape", {}, [-2], "expected a list of positive ints (or -1), got [-2]"),
    ("shape", {}, 3, "expected a list of positive ints (or -1), got 3"),
    ("activation", {}, 1, "expected an activation name, got 1"),
    ("activation", {}, "gelu", "unknown activation 'gelu'; choose one of: relu, tanh"),
    ("regularizer", {}, "l3", "expected 'l1', 'l2', 'l1_l2' or {'l1': a, 'l2': b}, got 'l3'"),
    ("regularizer", {}, 0.1, "expected 'l1', 'l2', 'l1_l2' or {'l1': a, 'l2': b}, got 0.1"),
    (
        "regularizer",
        {},
        {"l1": -0.1},
        "expected {'l1': a, 'l2': b} with non-negative numbers, got {'l1': -0.1}",
    ),
    (
        "regularizer",
        {},
        {"l3": 1},
        "expected {'l1': a, 'l2': b} with non-negative numbers, got {'l3': 1}",
    ),
    (
        "regularizer",
        {},
        {"l1": True},
        "expected {'l1': a, 'l2': b} with non-negative numbers, got {'l1': True}",
    ),
    ("list", {}, "ab", "expected a list, got 'ab'"),
    ("dict", {}, [], "expected an object, got []"),
]


@pytest.mark.parametrize(("kind", "extra", "value"), ACCEPTED)
def test_values_inside_each_kind_are_accepted(kind, extra, value):
    assert CHECK.check(Param("p", type=kind, default=value, **extra), value) is None


@pytest.mark.parametrize(("kind", "extra", "value", "message"), REFUSED)
def test_values_outside_each_kind_are_refused_with_the_reason(kind, extra, value, message):
    assert CHECK.check(Param("p", type=kind, default=1, **extra), value) == message


def test_null_is_accepted_only_where_allowed():
    assert CHECK.check(Param("p", type="int", default=3), None) == "expected a value, got null"
    assert CHECK.check(Param("p", type="int", default=3, nullable=True), None) is None
    assert CHECK.check(Param("p", type="int", default=None), None) is None
    assert CHECK.check(Param("p", type="int", default=MISSING), None) == (
        "expected a value, got null"
    )


def test_an_activation_is_any_name_when_none_are_known():
    assert ValueChecker().check(Param("a", type="activation", default="relu"), "gelu") is None


def test_a_bad_learning_rate_schedule_names_the_field():
    message = CHECK.check(Param("lr", type="learning_rate", default=0.1), {"kind": "nope"})
    assert message and "nope" in message


def test_a_param_cannot_be_changed_and_can_be_a_set_member():
    """A schema is shared by every user of the catalogue: a `Param` is frozen and hashable."""
    import dataclasses

    units = Param("units", type="int", default=8, min=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        units.min = 0
    assert units.min == 1
    assert {units, Param("units", type="int", default=8, min=1)} == {units}


def test_arg_docs_follow_the_args_section_and_stop_at_the_next():
    doc = """Does a thing.

    Args:
        units: How many units, which is
            a long help.
        *args (tuple): Extra.

        rate (float): The rate.
    Returns:
        Nothing: not an argument.
    """
    assert parse_arg_docs(doc) == {
        "units": "How many units, which is a long help.",
        "args": "Extra.",
        "rate": "The rate.",
    }
    assert parse_arg_docs(None) == {} and parse_arg_docs("No args.") == {}


def test_summary_is_the_first_non_blank_line():
    def f():
        """

        First line.
        Second line.
        """

    assert summary_of(f) == "First line."
    assert summary_of(lambda: None) == ""


def test_the_help_s_stated_default_is_read_and_a_different_one_reported():
    from lamina.params import (
        NOT_STATED,
        default_disagreements,
        derive_params,
        same_default,
        stated_default,
    )

    def documented(patch: int = 8, fill: float | None = None, mode: str = "max") -> None:
        """Example.

        Args:
            patch: Side of the square. Defaults to
                `6`.
            fill: The value. Defaults to None.
            mode: How. Defaults to ``"max"``; or prose.
        """

    params = derive_params(documented)
    assert [stated_default(p.help) for p in params] == [6, None, "max"]
    assert default_disagreements(params) == [
        "patch: the help says it defaults to 6, the default is 8"
    ]
    assert stated_default("Defaults to the file's stem.") is NOT_STATED
    assert stated_default("Defaults to `True` when `cancel` is given.") is NOT_STATED
    assert stated_default("Defaults to `(0.05, 0.1, ..., 0.99)`.") is NOT_STATED
    assert stated_default("Defaults to `TARGET`.", {"TARGET": 2.5}) == 2.5
    assert stated_default("Defaults to `TARGET`.") is NOT_STATED
    assert same_default(30, 30.0) and same_default((64, 64, 1), [64, 64, 1])
    assert not same_default(True, 1) and not same_default(29.0, 30) and not same_default("1", 1)


def test_check_entry_refuses_help_that_states_another_default():
    """A plug-in that overrides a default but not the sentence in its help is caught."""
    from lamina.params import Param
    from lamina.registry import Entry
    from lamina.testing import check_entry

    def ramp(n: int = 7):
        """A ramp."""

    param = Param("n", "int", default=7, help="Samples. Defaults to `8`.")
    entry = Entry("dataset", "ramp", ramp, plugin="mine", params=(param,))
    with pytest.raises(AssertionError, match=r"dataset 'ramp' of plug-in 'mine': n: the help says"):
        check_entry(entry, registry=None)


def test_a_name_typed_parameter_is_nullable_only_when_it_defaults_to_none():
    from lamina.params import derive_params

    def layer(units=None, filters=MISSING):
        """A layer."""

    units, filters = derive_params(layer)
    assert (units.type, units.nullable) == ("int", True)
    assert (filters.type, filters.nullable) == ("int", False)


def test_a_header_like_line_indented_inside_an_argument_s_help_continues_it():
    doc = "\n".join(
        [
            "Does a thing.",
            "",
            "Args:",
            "    units: How many.",
            "     Note:",  # one column deeper than the argument names
            "    rate: The rate.",
            "Returns:",
            "    x: y.",
        ]
    )
    assert parse_arg_docs(doc) == {"units": "How many. Note:", "rate": "The rate."}
