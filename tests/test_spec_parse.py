"""The %%synth column-spec grammar: parsing, printing back, and every bad-spec message."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pydantic import ValidationError

from disco_magics.errors import ParseError
from disco_magics.model import DatasetSpec
from disco_magics.model.dataset import (
    DISTRIBUTIONS,
    Bernoulli,
    Choice,
    ChoiceOption,
    ColumnSpec,
    Date,
    Fake,
    Integer,
    LogNormal,
    Normal,
    Poisson,
    Sequence,
    Uniform,
    faker_providers,
)
from disco_magics.parse.spec import KNOWN_DISTRIBUTIONS, looks_like_spec, parse_spec

CONTRACT = """\
variant: choice(control=0.5, checklist=0.5)
plan: choice(free=0.7, pro=0.25, team=0.05)
seats: poisson(3)
signup_date: date(2026-01-01, 2026-03-31)
company: fake.company
invited: bernoulli(0.18)
invited[variant=checklist]: bernoulli(0.27)
"""


def test_contract_example_parses_into_typed_columns():
    spec = parse_spec(CONTRACT)
    assert spec.column_names == ["variant", "plan", "seats", "signup_date", "company", "invited"]
    assert [c.line for c in spec.columns] == [1, 2, 3, 4, 5, 6, 7]
    assert spec.columns[0].distribution == Choice(
        options=[ChoiceOption(value="control", weight=0.5), ChoiceOption(value="checklist", weight=0.5)]
    )
    assert spec.columns[2].distribution == Poisson(lam=3)
    assert spec.columns[3].distribution == Date(start=date(2026, 1, 1), end=date(2026, 3, 31))
    assert spec.columns[4].distribution == Fake(provider="company")
    override = spec.columns[6]
    assert override.name == "invited" and override.conditions == {"variant": "checklist"}
    assert override.distribution == Bernoulli(p=0.27)
    assert spec.overrides("invited") == [override]
    assert spec.notes == []


def test_to_text_prints_the_contract_back_exactly():
    assert parse_spec(CONTRACT).to_text() + "\n" == CONTRACT


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "x: choice(a=0.2, b=0.8)",
            Choice(options=[ChoiceOption(value="a", weight=0.2), ChoiceOption(value="b", weight=0.8)]),
        ),
        ("x: bernoulli(0.18)", Bernoulli(p=0.18)),
        ("x: bernoulli(18%)", Bernoulli(p=0.18)),
        ("x: poisson(lam=2.5)", Poisson(lam=2.5)),
        ("x: normal(12, 4)", Normal(mu=12, sd=4)),
        ("x: normal(sd=4, mu=-1.5)", Normal(mu=-1.5, sd=4)),
        ("x: lognormal(3, 0.8)", LogNormal(mu=3, sd=0.8)),
        ("x: uniform(0, 0.3)", Uniform(lo=0, hi=0.3)),
        ("x: integer(1, 50)", Integer(lo=1, hi=50)),
        ("x: date(2026-01-01, 2026-03-31)", Date(start=date(2026, 1, 1), end=date(2026, 3, 31))),
        ("x: fake.email", Fake(provider="email")),
        ("x: fake.email()", Fake(provider="email")),
        ("x: sequence(u)", Sequence(prefix="u")),
        ('x: sequence("user #")', Sequence(prefix="user #")),
    ],
)
def test_every_distribution_parses(line, expected):
    assert parse_spec(line).columns[0].distribution == expected


def test_every_distribution_round_trips_through_its_example():
    for kind, cls in DISTRIBUTIONS.items():
        spec = parse_spec(cls.example)
        assert spec.columns[0].distribution.kind_name == kind
        assert parse_spec(spec.to_text()) == spec
        assert spec.to_text() == cls.example


def test_grammar_details_round_trip():
    text = "\n".join(
        [
            "# a comment line, then a blank one",
            "",
            'city: choice("New York"=0.4, Paris=0.6)  # where they work',
            "tier: choice(free, pro, team)",
            "id: sequence(#)",
            'label: sequence("a \\"q\\" b")',
            "big: bernoulli(0.5)",
            'big[city="New York", tier=pro]: bernoulli(0.9)',
        ]
    )
    spec = parse_spec(text)
    assert spec.columns[0].comment == "where they work"
    assert spec.columns[0].line == 3
    assert spec.columns[0].distribution.values == ["New York", "Paris"]
    assert spec.columns[1].distribution.weights == pytest.approx([1 / 3] * 3)
    assert spec.columns[2].distribution.prefix == "#"
    assert spec.columns[3].distribution.prefix == 'a "q" b'
    assert spec.columns[5].conditions == {"city": "New York", "tier": "pro"}
    printed = spec.to_text()
    again = parse_spec(printed)
    assert again.to_text() == printed
    assert [c.model_dump(exclude={"line"}) for c in again.columns] == [
        c.model_dump(exclude={"line"}) for c in spec.columns
    ]


def test_condition_values_are_canonicalised_by_column_kind():
    spec = parse_spec(
        "active: bernoulli(0.5)\nseats: integer(1, 3)\nday: date(2026-01-01, 2026-01-03)\n"
        "x: normal(0, 1)\nx[active=yes]: normal(1, 1)\nx[seats=02]: normal(2, 1)\nx[day=2026-01-02]: normal(3, 1)"
    )
    assert [c.conditions for c in spec.overrides("x")] == [
        {"active": "true"},
        {"seats": "2"},
        {"day": "2026-01-02"},
    ]


def test_weights_that_do_not_sum_to_one_are_normalised_with_a_note():
    spec = parse_spec("a: poisson(1)\nplan: choice(free=7, pro=2.5, team=0.5)")
    assert spec.columns[1].distribution.weights == pytest.approx([0.7, 0.25, 0.05])
    assert spec.notes == [
        "line 2: the weights of plan summed to 10, not 1; normalised to free=0.7, pro=0.25, team=0.05"
    ]
    # printing back gives weights that sum to 1: no second note, and the same text again
    again = parse_spec(spec.to_text())
    assert again.notes == [] and again.to_text() == spec.to_text()


def test_tiny_rounding_in_weights_is_not_a_note():
    assert parse_spec("t: choice(a=0.3333333, b=0.3333333, c=0.3333334)").notes == []


# ------------------------------------------------------------------------------ every bad spec

BAD_SPECS = [
    # syntax, one line
    ("seats: poisson(3", "line 1: poisson( needs a closing parenthesis"),
    (
        "a: poisson(1)\nb: notadist(2)",
        "line 2: unknown distribution 'notadist'; known: " + KNOWN_DISTRIBUTIONS,
    ),
    ("x: poison(3)", "line 1: unknown distribution 'poison' (did you mean 'poisson'?); known: "),
    ("x: 3", "line 1: expected a distribution after 'x:', got '3'"),
    ("x:", "line 1: a distribution is missing after 'x:'"),
    ("x poisson(3)", "line 1: expected 'column: distribution'; a colon is missing after 'x'"),
    ("just words", "line 1: expected 'column: distribution'; a colon is missing after 'just'"),
    (": poisson(3)", "line 1: a column name is missing before ':'"),
    ("my col: poisson(3)", "line 1: 'my col' is not a valid column name"),
    ("x: poisson", "line 1: poisson needs its arguments in parentheses"),
    ("x: poisson 3", "line 1: expected '(' after poisson, got '3'"),
    ("x: poisson(3) more", "line 1: unexpected text 'more' after poisson(...)"),
    ("x: poisson(3, 4)", "line 1: poisson takes 1 argument (lam), got 2"),
    ("x: normal(1)", "line 1: normal needs 2 arguments (mu, sd), got 1"),
    ("x: normal(mu=1, sigma=2)", "line 1: normal has no parameter 'sigma'; its parameters: mu, sd"),
    ("x: normal(1, mu=2)", "line 1: normal: mu is given twice"),
    ("x: poisson(1,)", "line 1: poisson(...) has an empty argument"),
    ("x: poisson(lam=)", "line 1: poisson(...) has an incomplete argument 'lam='"),
    ("x: poisson(many)", "line 1: poisson: lam must be a number, got 'many'"),
    ("x: integer(1.5, 3)", "line 1: integer: lo must be a whole number, got '1.5'"),
    (
        "x: date(2026-02-30, 2026-03-01)",
        "line 1: date: start must be a date like 2026-01-01, got '2026-02-30'",
    ),
    ('x: choice("a=1)', 'line 1: a double quote " is not closed'),
    ("x: fake", "line 1: fake needs a provider, as fake.PROVIDER"),
    ("x: fake.", "line 1: fake. needs a provider name"),
    ("x: fake.name(3)", "line 1: fake.name takes no arguments, got '(3)'"),
    ("x: fake.compnay", "line 1: unknown Faker provider 'compnay'; close: fake.company"),
    ("x: fake.zzzqqq", "line 1: unknown Faker provider 'zzzqqq'; e.g. fake.name, fake.email"),
    ("x: fake.profile", "line 1: unknown Faker provider 'profile'"),  # a dict per row is not one value
    # parameters out of range
    ("x: bernoulli(1.5)", "line 1: bernoulli(p) needs p between 0 and 1, got 1.5"),
    ("x: poisson(-1)", "line 1: poisson(lam) needs lam >= 0, got -1"),
    ("x: normal(0, -1)", "line 1: normal(mu, sd) needs sd >= 0, got -1"),
    ("x: lognormal(0, -1)", "line 1: lognormal(mu, sd) needs sd >= 0, got -1"),
    ("x: normal(nan, 1)", "line 1: normal: mu must be a finite number, got nan"),
    ("x: lognormal(800, 1)", "line 1: lognormal(mu, sd) is too large"),
    ("x: uniform(2, 1)", "line 1: uniform(lo, hi) needs lo <= hi, got 2 and 1"),
    ("x: integer(5, 1)", "line 1: integer(lo, hi) needs lo <= hi, got 5 and 1"),
    (
        "x: date(2026-03-01, 2026-01-01)",
        "line 1: date(start, end) needs start <= end, got 2026-03-01 and 2026-01-01",
    ),
    (
        "x: date(1500-01-01, 2026-01-01)",
        "line 1: date(start, end) supports days from 1700-01-01 to 2199-12-31",
    ),
    # choices
    ("x: choice()", "line 1: choice needs at least one option"),
    ("x: choice(a, b=0.5)", "line 1: choice needs a weight for every option or for none"),
    ("x: choice(a=lots, b=1)", "line 1: choice: the weight of 'a' must be a number, got 'lots'"),
    ("x: choice(a=-0.2, b=1)", "line 1: choice weights must be numbers >= 0, got -0.2"),
    ("x: choice(a=0.5, a=0.5)", "line 1: choice lists 'a' twice"),
    ("x: choice(a=0, b=0)", "line 1: choice needs at least one weight above 0"),
    # overrides and conditions
    ("inv[v=a: bernoulli(0.1)", "line 1: inv[ needs a closing bracket ]"),
    ("v: choice(a=1)\ninv: bernoulli(0.1)\ninv[]: bernoulli(0.2)", "line 3: inv[] has no condition"),
    (
        "v: choice(a=1)\ninv: bernoulli(0.1)\ninv[v]: bernoulli(0.2)",
        "line 3: condition 'v' needs the form column=value",
    ),
    (
        "v: choice(a=1)\ninv: bernoulli(0.1)\ninv[v=a, v=a]: bernoulli(0.2)",
        "line 3: condition column 'v' appears twice",
    ),
    (
        "v: choice(a=1)\ninv: bernoulli(0.1)\ninv[v=a] x: bernoulli(0.2)",
        "line 3: unexpected text 'x' after inv[...]",
    ),
    ("v: choice(a=1)\ninv[v=a]: bernoulli(0.2)", "line 2: the override of 'inv' comes before its base line"),
    ("v: choice(a=1)\nv: choice(b=1)", "line 2: column 'v' is defined twice (first on line 1)"),
    (
        "variant: choice(a=1)\ninv: bernoulli(0.1)\ninv[varient=a]: bernoulli(0.2)",
        "line 3: unknown condition column 'varient' (did you mean 'variant'?); earlier columns: variant",
    ),
    (
        "v: choice(a=1)\ninv: bernoulli(0.1)\ninv[zz=a]: bernoulli(0.2)",
        "line 3: unknown condition column 'zz'; earlier columns: v",
    ),
    (
        "inv: bernoulli(0.1)\nv: choice(a=1)\ninv[v=a]: bernoulli(0.2)",
        "line 3: condition column 'v' comes after 'inv'; conditions use earlier columns: none",
    ),
    (
        "v: choice(a=1)\ninv: bernoulli(0.1)\ninv[inv=true]: bernoulli(0.2)",
        "line 3: 'inv' cannot be conditioned on itself",
    ),
    (
        "v: choice(control=0.5, checklist=0.5)\ninv: bernoulli(0.1)\ninv[v=checklst]: bernoulli(0.2)",
        "line 3: 'checklst' is not a value of v (did you mean 'checklist'?); its values: control, checklist",
    ),
    (
        "a: bernoulli(0.5)\nb: poisson(1)\nb[a=maybe]: poisson(2)",
        "line 3: a is yes/no (bernoulli); a condition on it is a=true or a=false, got 'maybe'",
    ),
    (
        "a: integer(1, 3)\nb: poisson(1)\nb[a=two]: poisson(2)",
        "line 3: a holds whole numbers (integer); 'two' is not one",
    ),
    (
        "a: date(2026-01-01, 2026-01-09)\nb: poisson(1)\nb[a=soon]: poisson(2)",
        "line 3: a holds dates; 'soon' is not a date",
    ),
    (
        "a: normal(0, 1)\nb: poisson(1)\nb[a=0]: poisson(2)",
        "line 3: conditions cannot use a: a normal column is continuous",
    ),
    (
        "v: choice(a=1)\ninv: bernoulli(0.1)\ninv[v=a]: poisson(2)",
        "line 3: inv holds yes/no (bernoulli) but this override gives whole numbers (poisson)",
    ),
    # empty
    ("", "the spec has no columns"),
    ("# nothing but a comment\n\n", "the spec has no columns"),
]


@pytest.mark.parametrize(("text", "message"), BAD_SPECS, ids=[m[:50] for _, m in BAD_SPECS])
def test_bad_spec_message(text, message):
    with pytest.raises(ParseError) as caught:
        parse_spec(text)
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)
    if message.startswith("line "):
        assert caught.value.line == int(message.split(":")[0].split()[1])


def test_syntax_errors_carry_an_example_of_the_right_form():
    with pytest.raises(ParseError) as caught:
        parse_spec("seats: poisson(3")
    assert caught.value.example == "seats: poisson(3)"
    assert str(caught.value) == "line 1: poisson( needs a closing parenthesis — e.g. seats: poisson(3)"


def test_every_known_distribution_is_listed_in_the_unknown_message():
    assert KNOWN_DISTRIBUTIONS == (
        "choice, bernoulli, poisson, normal, lognormal, uniform, integer, date, fake.PROVIDER, sequence"
    )


# ------------------------------------------------------------------- the model as an LLM contract


def _llm_answer(columns, notes=()):
    return {"columns": columns, "notes": list(notes)}


def test_an_llm_style_answer_validates_into_the_same_spec():
    answer = json.loads(parse_spec(CONTRACT).model_dump_json(exclude={"columns": {"__all__": {"line"}}}))
    spec = DatasetSpec.model_validate(answer)
    assert spec.to_text() + "\n" == CONTRACT
    assert all(c.line is None for c in spec.columns)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (
            [
                {
                    "name": "variant",
                    "distribution": {"kind": "choice", "options": [{"value": "a", "weight": 1}]},
                },
                {"name": "inv", "distribution": {"kind": "bernoulli", "p": 0.1}},
                {
                    "name": "inv",
                    "conditions": {"varaint": "a"},
                    "distribution": {"kind": "bernoulli", "p": 0.2},
                },
            ],
            "columns[2] (inv[varaint=a]): unknown condition column 'varaint'",
        ),
        (
            [{"name": "x", "distribution": {"kind": "bernoulli", "p": 2}}],
            "bernoulli(p) needs p between 0 and 1",
        ),
        (
            [{"name": "x", "distribution": {"kind": "fake", "provider": "compnay"}}],
            "unknown Faker provider 'compnay'",
        ),
        ([], "a spec needs at least one column"),
        (
            [
                {"name": "x", "distribution": {"kind": "poisson", "lam": 1}},
                {"name": "x", "distribution": {"kind": "poisson", "lam": 2}},
            ],
            "columns[1] (x): column 'x' is defined twice",
        ),
    ],
)
def test_a_bad_llm_answer_fails_the_same_rules(columns, message):
    with pytest.raises(ValidationError) as caught:
        DatasetSpec.model_validate(_llm_answer(columns))
    assert message in str(caught.value)


def test_llm_answer_weights_are_normalised_with_a_note_once():
    spec = DatasetSpec.model_validate(
        _llm_answer(
            [
                {
                    "name": "p",
                    "distribution": {
                        "kind": "choice",
                        "options": [{"value": "a", "weight": 3}, {"value": "b", "weight": 1}],
                    },
                }
            ]
        )
    )
    assert spec.columns[0].distribution.weights == [0.75, 0.25]
    assert spec.notes == ["the weights of p summed to 4, not 1; normalised to a=0.75, b=0.25"]
    again = DatasetSpec.model_validate(spec.model_dump())
    assert again.notes == spec.notes  # validating twice does not add a second note


def test_json_schema_is_a_usable_response_model():
    schema = DatasetSpec.model_json_schema()
    column = schema["$defs"]["ColumnSpec"]
    assert "line" not in column["properties"]  # parser bookkeeping is not asked of an LLM
    assert schema["properties"]["columns"]["maxItems"] == 200
    assert schema["properties"]["notes"]["maxItems"] == 50
    assert set(column["properties"]["distribution"]["discriminator"]["mapping"]) == set(DISTRIBUTIONS)
    for name, definition in schema["$defs"].items():
        for field, prop in definition.get("properties", {}).items():
            if field != "kind":
                assert prop.get("description"), f"{name}.{field} has no description"


def test_column_spec_text_and_helpers():
    spec = parse_spec(CONTRACT)
    assert spec.categories("variant") == ["control", "checklist"]
    assert spec.value_kind("signup_date") == "date"
    assert spec.depends_on(["invited"]) == ["variant", "invited"]
    assert spec.select(["invited"]).column_names == ["variant", "invited"]
    assert spec.without_overrides("invited").overrides("invited") == []
    assert str(spec) == spec.to_text()
    spec.notes.append("a note")
    assert spec.to_text(with_notes=True).startswith("# a note\nvariant:")
    assert (
        ColumnSpec(name="x", distribution=Poisson(lam=1), comment="per\nline").to_text()
        == "x: poisson(1)  # per line"
    )


def test_faker_providers_are_zero_argument_single_values():
    providers = faker_providers()
    assert {"name", "email", "company", "city", "country", "job", "uuid4"} <= providers
    assert not {"profile", "pylist", "binary", "seed_instance", "random_element_x"} & providers


# ------------------------------------------------------------------------------ spec or prose


@pytest.mark.parametrize(
    "text",
    [
        CONTRACT,
        "seats: poisson(3",  # broken, but clearly a spec: it must get a line-numbered error
        "x: notadist(1)",
        "company: fake.company\n\n# comment",
        "Here is the data:\nseats: poisson(3)\nplan: choice(a=1)",
    ],
)
def test_looks_like_spec(text):
    assert looks_like_spec(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "20,000 trials; half see the new checklist. 18% invite a teammate.",
        "Trials: plan (free 70%) and seats between 1 and 50",
        "Note: variant (control/checklist) matters most\nand invites around 18%\nwith more for checklist",
    ],
)
def test_prose_does_not_look_like_spec(text):
    assert not looks_like_spec(text)
