"""The project file: defaults, round trips, and one clear error per bad field."""

import json

import pytest

from engine.errors import SpecError
from engine.spec.migrate import CURRENT_VERSION, migrate
from engine.spec.overrides import apply_override, parse_assignment, split_path
from engine.spec.project import Project


def test_defaults_round_trip_through_json():
    project = Project.from_dict({})
    again = Project.from_json(project.to_json())
    assert again == project
    doc = json.loads(project.to_json())
    assert doc["format"] == "layerlab" and doc["version"] == CURRENT_VERSION
    assert doc["training"]["optimizer"] == {"name": "sgd", "lr": 0.03, "weight_decay": 0.0}
    assert doc["network"]["layers"][0] == {"type": "dense", "units": 8, "activation": "tanh"}


def test_optimizer_params_are_filled_with_defaults_and_checked():
    project = Project.from_dict({"training": {"optimizer": {"name": "adam", "lr": 0.01}}})
    assert project.training.optimizer["beta1"] == pytest.approx(0.9)
    with pytest.raises(SpecError, match=r"^training\.optimizer\.beta1: must be a number in 0"):
        Project.from_dict({"training": {"optimizer": {"name": "adam", "beta1": 7}}})
    with pytest.raises(SpecError, match=r"^training\.optimizer\.momentum: unknown parameter of adam"):
        Project.from_dict({"training": {"optimizer": {"name": "adam", "momentum": 0.9}}})


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"network": {"layers": [{"type": "dense", "units": 0}]}},
            r"network\.layers\[0\]\.units: must be an integer in 1\.\.4096, got 0",
        ),
        (
            {"network": {"layers": [{"type": "dense", "units": 10**9}]}},
            r"network\.layers\[0\]\.units: must be an integer in 1\.\.4096",
        ),
        (
            {"network": {"layers": [{"type": "dense", "units": 4, "activation": "swishy"}]}},
            r"network\.layers\[0\]\.activation: unknown activation 'swishy'; valid: linear, sigmoid, tanh",
        ),
        (
            {"network": {"layers": [{"type": "conv3d"}]}},
            r"network\.layers\[0\]\.type: unknown layer 'conv3d'; valid: dense",
        ),
        (
            {"network": {"layers": [{"type": "dense", "units": 4, "colour": 1}]}},
            r"network\.layers\[0\]\.colour: unknown parameter of dense",
        ),
        (
            {"training": {"optimizer": {"name": "sgdd"}}},
            r"training\.optimizer\.name: unknown optimizer 'sgdd'; valid: sgd, momentum",
        ),
        ({"training": {"loss": "hinge"}}, r"training\.loss: unknown loss 'hinge'; valid: "),
        (
            {"training": {"optimizer": {"name": "sgd", "lr": -1}}},
            r"training\.optimizer\.lr: must be a number in 1e-07\.\.100, got -1",
        ),
        (
            {"training": {"batch_size": "many"}},
            r'training\.batch_size: must be an integer in 1\.\.100,000 or "all"',
        ),
        ({"training": {"epochs": 2.5}}, r"training\.epochs: must be an integer"),
        (
            {"training": {"schedule": {"name": "exponential", "rate": "fast"}}},
            r"training\.schedule\.rate: must be a number",
        ),
        (
            {"training": {"grad_clip": {"mode": "sometimes"}}},
            r"training\.grad_clip\.mode: must be one of none, norm, value",
        ),
        ({"training": {"device": "tpu"}}, r"training\.device: must be one of auto, cpu, cuda"),
        ({"data": {"name": "mnist"}}, r"data\.name: unknown dataset 'mnist'; valid: "),
        ({"data": {"samples": 10**9}}, r"data\.samples: must be an integer in 1\.\.200,000"),
        ({"data": {"features": ["x1", "x3"]}}, r"data\.features\[1\]: unknown feature 'x3'"),
        ({"data": {"train_fraction": 1.5}}, r"data\.train_fraction: must be a number in 0\.05\.\.0\.95"),
        ({"seed": "abc"}, r"seed: must be an integer"),
        ({"colour": "blue"}, r"colour: unknown key; valid keys: "),
        ({"version": 99}, r"version: this file was written by a newer Layerlab \(format 99\)"),
        ([1, 2], r"project: must be a JSON object, got list"),
        ({"network": {"layers": [5]}}, r"network\.layers\[0\]: must be an object, got 5"),
        (
            {"network": {"layers": [{"type": "dense", "units": 4}] * 65}},
            r"network\.layers: must have at most 64 layers",
        ),
    ],
)
def test_each_bad_field_gets_one_line_naming_path_and_reason(doc, message):
    with pytest.raises(SpecError, match=message) as info:
        Project.from_dict(doc)
    assert "\n" not in str(info.value)


def test_activation_with_parameters_is_kept():
    layer = {"type": "dense", "units": 3, "activation": {"name": "leaky_relu", "slope": 0.2}}
    project = Project.from_dict({"network": {"layers": [layer]}})
    assert project.network.layers[0]["activation"] == {"name": "leaky_relu", "slope": 0.2}


def test_invalid_json_names_line_and_column():
    with pytest.raises(SpecError, match=r"^p\.json: not valid JSON: .* at line 2 column"):
        Project.from_json('{"seed": 1,\n "data": }', source="p.json")


def test_version_zero_migrates_learning_rate_and_hidden_sizes():
    old = {"version": 0, "training": {"lr": 0.1}, "network": {"hidden": [4, 2], "activation": "relu"}}
    project = Project.from_dict(old)
    assert project.training.optimizer["lr"] == 0.1
    assert [layer["units"] for layer in project.network.layers] == [4, 2]
    assert migrate({"version": 0})["version"] == CURRENT_VERSION


def test_overrides_set_nested_keys_and_list_items():
    doc = {"network": {"layers": [{"type": "dense", "units": 4}]}}
    apply_override(doc, *parse_assignment("network.layers[0].units=7"))
    apply_override(doc, *parse_assignment("training.optimizer.name=adam"))
    apply_override(doc, *parse_assignment('network.layers.0.activation="relu"'))
    assert doc["network"]["layers"][0] == {"type": "dense", "units": 7, "activation": "relu"}
    assert doc["training"]["optimizer"]["name"] == "adam"
    assert split_path("a.b[2].c") == ["a", "b", 2, "c"]
    with pytest.raises(SpecError, match=r"network\.layers\.3: no such list element"):
        apply_override(doc, "network.layers[3].units", 1)
    with pytest.raises(SpecError, match="expected PATH=VALUE"):
        parse_assignment("just-a-word")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"seed": ' + "1" * 5000 + "}",
            r"^seed: is an integer of 5,000 digits; numbers may have at most 100$",
        ),
        ('{"data": {"noise": NaN}}', r"^data\.noise: NaN is not a number JSON allows"),
        ('{"data": {"params": {"scale": -Infinity}}}', r"^data\.params\.scale: -Infinity is not a number"),
        ('{"training": {"l2": 1e999}}', r"^training\.l2: 1e999 is beyond the range of a number"),
        ('{"seed": 1, "seed": 2}', r"^seed: appears twice in one object"),
        (
            '{"network": {"layers": [{"type": "dense", "units": 4, "units": 5}]}}',
            r"^network\.layers\[0\]\.units: appears twice",
        ),
        (
            '{"data": {"name": "spiral", "params": ' + '{"a": ' * 700 + "1" + "}" * 700 + "}}",
            r"^data\.params\.a\.a\.a.*\.\.\.: objects and lists nested 702 levels deep; at most 64 are allowed$",
        ),
        (
            '{"data": ' + "[" * 5000 + "]" * 5000 + "}",
            r"^p\.json: objects and lists nested about 1,000 or more",
        ),
    ],
)
def test_json_that_python_accepts_but_a_project_must_not_is_refused_with_its_key_path(text, message):
    with pytest.raises(SpecError, match=message) as info:
        Project.from_json(text, source="p.json")
    assert "\n" not in str(info.value) and len(str(info.value)) < 200


def test_nesting_up_to_the_limit_reads_and_python_data_is_held_to_the_same_limits():
    from engine.json_read import MAX_DEPTH, parse_json

    assert parse_json("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(SpecError, match=f"nested {MAX_DEPTH + 1} levels deep"):
        parse_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    deep: list = []
    for _ in range(900):  # deeper than copy.deepcopy (in the migration) can recurse
        deep = [deep]
    with pytest.raises(SpecError, match=r"^data\.params\.x\[0\]\[0\].*: objects and lists nested 904"):
        Project.from_dict({"data": {"params": {"x": deep}}})
    with pytest.raises(SpecError, match=r"^seed: is an integer of about 5,001 digits"):
        Project.from_dict({"seed": 10**5000})


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"version": 0, "training": 5, "network": {"hidden": [4]}}, r"^training: must be an object, got 5"),
        (
            {"version": 0, "network": {"hidden": 3}},
            r"^network\.hidden: must be a list of layer sizes, got int",
        ),
        ({"version": 0, "network": 7, "training": {"lr": 0.1}}, r"^network: must be an object, got 7"),
        (
            {"version": 0, "training": {"lr": 0.1, "optimizer": "adam"}},
            r"^training\.optimizer: must be an object",
        ),
        ({"version": 0, "network": {"hidden": ["a"]}}, r"^network\.layers\[0\]\.units: must be a number"),
    ],
)
def test_version_zero_documents_with_odd_types_get_one_line(doc, message):
    with pytest.raises(SpecError, match=message):
        Project.from_dict(doc)


def test_set_values_are_held_to_the_json_limits_and_plain_words_stay_strings():
    assert parse_assignment("training.optimizer.name=adam") == ("training.optimizer.name", "adam")
    assert parse_assignment("data.noise=0.1") == ("data.noise", 0.1)
    with pytest.raises(SpecError, match=r"^seed: is an integer of 5,000 digits"):
        parse_assignment("seed=" + "1" * 5000)
    with pytest.raises(SpecError, match=r"^data\.noise: NaN is not a number JSON allows"):
        parse_assignment("data.noise=NaN")
    with pytest.raises(SpecError, match=r"^data\.params\[0\]\[0\].*nested 900 levels deep"):
        parse_assignment("data.params=" + "[" * 900 + "]" * 900)
    with pytest.raises(SpecError, match=r"^data\.params\.a: appears twice"):
        parse_assignment('data.params={"a": 1, "a": 2}')
