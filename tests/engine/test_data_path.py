"""A relative data.path belongs to the project file's folder: a project moved with its data trains
from any working directory, and saving keeps the path relative where the data travels with it."""

import json
import os

import pytest

from engine.data.csv_data import portable_data_path, resolve_data_path
from engine.spec.project import Project
from engine.store import load_project, save_project
from engine.train import Trainer


def csv_project(folder, path="data.csv"):
    folder.mkdir(parents=True, exist_ok=True)
    rows = "".join(f"{i % 7},{(i * 3) % 5},{i % 2}\n" for i in range(40))
    (folder / "data.csv").write_text("a,b,label\n" + rows, encoding="utf-8")
    doc = Project.from_dict({"data": {"name": "csv", "path": path}, "training": {"epochs": 1}}).to_dict()
    (folder / "p.json").write_text(json.dumps(doc), encoding="utf-8")
    return folder / "p.json"


def test_a_project_moved_with_its_data_trains_from_another_directory(tmp_path, monkeypatch):
    project_file = csv_project(tmp_path / "A")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    project = load_project(project_file)
    assert project.data.path == str(tmp_path / "A" / "data.csv")
    trainer = Trainer(project)
    trainer.run_epoch()
    assert trainer.epoch == 1 and trainer.dataset.n_classes == 2


def test_saving_keeps_data_beside_the_project_relative(tmp_path, monkeypatch):
    project_file = csv_project(tmp_path / "A")
    monkeypatch.chdir(tmp_path)
    project = load_project(project_file)
    save_project(project, tmp_path / "A" / "copy.json")
    assert json.loads((tmp_path / "A" / "copy.json").read_text())["data"]["path"] == "data.csv"
    (tmp_path / "B").mkdir()
    save_project(project, tmp_path / "B" / "moved.json")  # the data stays behind: an absolute path
    saved = json.loads((tmp_path / "B" / "moved.json").read_text())["data"]["path"]
    assert saved == str(tmp_path / "A" / "data.csv")
    assert load_project(tmp_path / "B" / "moved.json").data.path == saved
    assert project.data.path == str(tmp_path / "A" / "data.csv")  # saving does not change the project


def test_a_subfolder_path_round_trips(tmp_path):
    folder = tmp_path / "A"
    project_file = csv_project(folder / "tables", path="tables/data.csv")
    (folder / "tables" / "p.json").rename(folder / "p.json")
    project = load_project(folder / "p.json")
    assert os.path.exists(project.data.path)
    save_project(project, folder / "p.json")
    assert json.loads((folder / "p.json").read_text())["data"]["path"] == "tables/data.csv"
    assert project_file.parent.name == "tables"


@pytest.mark.parametrize(
    "path, expected",
    [(None, None), ("/data/x.csv", "/data/x.csv"), ("~/x.csv", "~/x.csv"), ("../x.csv", "/p/x.csv")],
)
def test_resolve_data_path(path, expected):
    assert resolve_data_path(path, "/p/q") == expected


def test_portable_data_path_keeps_relative_and_outside_paths():
    assert portable_data_path("x.csv", "/p") == "x.csv"
    assert portable_data_path("/p/d/x.csv", "/p") == "d/x.csv"
    assert portable_data_path("/other/x.csv", "/p") == "/other/x.csv"


def test_resolve_document_data_path_leaves_invalid_documents_to_the_validator():
    from engine.data.csv_data import resolve_document_data_path

    assert resolve_document_data_path([1], "/p") == [1]
    assert resolve_document_data_path({"data": {"path": 3}}, "/p") == {"data": {"path": 3}}
    assert resolve_document_data_path({"data": {"path": "d.csv"}}, "/p") == {"data": {"path": "/p/d.csv"}}


def test_the_command_line_trains_a_moved_project_from_another_directory(tmp_path, monkeypatch, capsys):
    from engine.cli import main

    csv_project(tmp_path / "A")
    (tmp_path / "B").mkdir()
    monkeypatch.chdir(tmp_path / "B")
    assert main(["train", "../A/p.json"]) == 0, capsys.readouterr().err
