"""Served flows take typed run options only: nothing a caller of the Prefect API passes can
change a setting (a base URL that would receive the OpenAlex key, a notification target,
the store). Every deployed flow's parameter schema is checked, and Prefect enforces it."""

from __future__ import annotations

import pytest

from trendline.core.settings import load_settings

# what each flow may be told, and nothing else
ALLOWED = {
    "pipeline": {"accept_history": "boolean", "accept_shrink": "boolean"},
    "weekly-summary": {},
    "evaluate": {"accept_history": "boolean"},
    "refresh": {"families": "array", "sources": "array", "publications": "enum",
                "accept_shrink": "boolean"},
}


def _kind(prop: dict) -> str:
    options = prop.get("anyOf") or [prop]
    kinds = {o.get("type") for o in options if o.get("type") != "null"}
    if any("enum" in o or "const" in o for o in options):
        return "enum"
    return kinds.pop() if len(kinds) == 1 else str(sorted(map(str, kinds)))


def _schema(flow) -> dict:
    from prefect.utilities.callables import parameter_schema

    return parameter_schema(flow).model_dump()


def test_every_deployed_flow_takes_only_typed_run_options(home):
    from trendline.flows.serve import deployments

    deps = deployments(load_settings())
    assert {d.name for d in deps} == {"daily", "weekly"}
    for dep in deps:
        assert dep.parameters == {}, dep.parameters  # no settings baked into a deployment
        props = dep._parameter_openapi_schema.model_dump()["properties"]
        flow = dep.flow_name
        assert {k: _kind(v) for k, v in props.items()} == ALLOWED[flow], (flow, props)
        assert dep.enforce_parameter_schema, flow  # a run with other parameters is refused


@pytest.mark.parametrize("name", ["pipeline", "evaluate", "refresh", "weekly_summary"])
def test_no_flow_takes_config_or_overrides(name):
    import importlib

    module = {"pipeline": "pipeline", "evaluate": "evaluate", "refresh": "refresh",
              "weekly_summary": "publish"}[name]
    flow = getattr(importlib.import_module(f"trendline.flows.{module}"), name)
    props = _schema(flow)["properties"]
    assert not {"config", "overrides", "settings"} & set(props), props
    assert {k: _kind(v) for k, v in props.items()} == ALLOWED[flow.name]


def test_a_refresh_of_an_unknown_source_is_refused(engine, settings):
    from trendline.core.resources import Resources
    from trendline.tasks.ingest import ingest

    with pytest.raises(ValueError, match="unknown source nope"):
        ingest(Resources(settings, engine), ["nope"])
