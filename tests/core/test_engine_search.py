"""The engine's ``search`` request in-process: relayed events, located errors, stop and resume.

No child process: `run_request` runs the handler as the engine's long worker does, with a
cancel flag the test sets (what a `CancelRequest` does).
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest
from search_spec import LR, SPACE, SPEC, UNITS

from lamina.engine import protocol as p
from lamina.engine.handlers import CancelFlag, run_request
from lamina.engine.handlers.search import SEARCH_EVENTS


def _request(project: Path, space: dict | None = None, **settings: object) -> p.SearchRequest:
    settings = {"name": "s", "trials": 2, "sampler": "random", "seed": 3, **settings}
    return p.SearchRequest(SPEC, space or SPACE, settings, str(project), SPEC["data"], id=4)


def test_protocol_search_events_carry_every_field_of_the_core_events() -> None:
    from lamina.hpsearch import events

    for name, cls in SEARCH_EVENTS.items():
        core = {f.name for f in fields(getattr(events, name))}
        assert core <= {f.name for f in fields(cls)}, name


@pytest.mark.parametrize(
    ("space", "settings", "location", "words"),
    [
        ({"layers[9].params.units": [1, 2]}, {}, 'space["layers[9].params.units"]', "3 items"),
        ({UNITS: {"low": 8, "high": 4}}, {}, f'space["{UNITS}"]', "low must be < high"),
        (SPACE, {"sampler": "nope"}, "search.sampler", "unknown sampler 'nope'"),
        (SPACE, {"pruner": "often"}, "search.pruner", "unknown pruner 'often'"),
        (SPACE, {"objectives": ["val_nope"]}, "search.objectives", "do not log 'val_nope'"),
        (SPACE, {"colour": "red"}, "settings", "unknown setting(s) 'colour'"),
    ],
)
def test_a_bad_search_is_one_located_error_reply_and_touches_nothing(
    tmp_path: Path, space: dict, settings: dict, location: str, words: str
) -> None:
    events: list[p.Event] = []
    reply = run_request(_request(tmp_path / "proj", space, **settings), events.append)
    assert isinstance(reply, p.ErrorReply) and reply.id == 4
    assert reply.location == location and words in reply.message
    assert "Traceback" not in reply.message and reply.code != "internal"
    assert events == [] and not (tmp_path / "proj").exists()


def test_a_search_without_a_project_is_refused(tmp_path: Path) -> None:
    request = _request(tmp_path)
    request.project_dir = None
    reply = run_request(request)
    assert isinstance(reply, p.ErrorReply) and reply.location == "project_dir"


def test_search_relays_the_trials_then_stop_and_resume(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    events: list[p.Event] = []
    reply = run_request(_request(project), events.append)
    assert isinstance(reply, p.SearchReport), reply
    kinds = [type(e).__name__ for e in events]
    assert kinds[0] == "SearchStarted" and kinds[-1] == "SearchFinished"
    assert kinds.count("TrialStarted") == kinds.count("TrialFinished") == 2
    started = events[0]
    assert started.study == "s" and started.directions == ["minimize"]
    assert started.params == [UNITS, LR] and started.trials == 2
    finished = [e for e in events if isinstance(e, p.TrialFinished)]
    assert [e.state for e in finished] == ["complete", "complete"]
    assert all(e.id == 4 for e in events)
    # every trial is a run of the project, with the trial's values in its spec
    trial_params = [e.params for e in events if isinstance(e, p.TrialStarted)]
    for event, params in zip(finished, trial_params, strict=True):
        spec = json.loads((project / "runs" / event.run_id / "spec.json").read_text())
        assert spec["layers"][1]["params"]["units"] == params[UNITS]
    assert reply.status == "finished" and [r["trial"] for r in reply.trials] == [0, 1]
    best = min(finished, key=lambda e: e.values[0])
    assert reply.best == [best.number]

    # the project's past searches, as the app reads them when it opens the project
    past = run_request(p.SearchStudiesRequest(str(project)))
    assert isinstance(past, p.SearchStudies) and [s["study"] for s in past.studies] == ["s"]
    study = past.studies[0]
    assert study["params"] == [UNITS, LR] and study["directions"] == ["minimize"]
    assert [r["trial"] for r in study["trials"]] == [0, 1] and study["best"] == reply.best
    assert [r["run_id"] for r in study["trials"]] == [e.run_id for e in finished]
    assert [r["best"] for r in study["trials"]] == [e.number == best.number for e in finished]
    assert run_request(p.SearchStudiesRequest(str(tmp_path / "empty"))).studies == []
    refused = run_request(
        p.SearchStudiesRequest(str(project), "postgresql://u:hunter2@127.0.0.1:1/db")
    )
    assert isinstance(refused, p.ErrorReply) and refused.location == "search.storage"
    assert "hunter2" not in refused.message and "u:***@127.0.0.1:1/db" in refused.message

    # the same study name with another space is refused, located, before anything runs
    other = {UNITS: {"type": "int", "low": 4, "high": 32, "log": False}}
    refused = run_request(_request(project, other))
    assert isinstance(refused, p.ErrorReply) and refused.location == "search.name"
    assert "another space" in refused.message
    assert len(list((project / "runs").iterdir())) == 2

    # Stop as the next search's first trial starts: it ends within one batch (no epoch
    # finishes out of 50), and the study is kept
    flag, events = CancelFlag(), []

    def emit(event: p.Event) -> None:
        events.append(event)
        if isinstance(event, p.TrialStarted):
            flag.cancel()

    stopped = run_request(_request(project, name="long", epochs=50), emit, flag)
    assert isinstance(stopped, p.SearchReport), stopped
    assert stopped.status == "stopped"
    assert not any(isinstance(e, p.TrialEpoch) for e in events)
    assert [r["state"] for r in stopped.trials if r["state"] == "complete"] == []

    # the same search again (a shorter budget per trial is allowed) resumes and finishes
    resumed = run_request(_request(project, name="long", epochs=1))
    assert isinstance(resumed, p.SearchReport), resumed
    assert resumed.status == "finished"
    assert sum(r["state"] == "complete" for r in resumed.trials) == 2


def test_the_client_sends_one_typed_search_request() -> None:
    from lamina.engine.typed_requests import TypedRequests

    class Recorder(TypedRequests):
        def send(self, request, on_reply=None, on_event=None):  # noqa: ANN001, ANN201
            self.sent = (request, on_reply, on_event)
            return 9

    client = Recorder()
    assert client.search(SPEC, SPACE, {"trials": 2}, on_event=print, project_dir="/p") == 9
    request, on_reply, on_event = client.sent
    assert isinstance(request, p.SearchRequest) and on_event is print and on_reply is None
    assert request.space == SPACE and request.settings == {"trials": 2}
    assert request.project_dir == "/p" and request.spec == SPEC
    assert p.from_line(p.to_line(request)) == request
