"""v4 associations: batch read, per-record list, labels, and batch create/archive."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.hubspot.associations import TYPE_IDS, type_ids
from sandbox.hubspot.errors import batch_error, object_not_found, validation
from sandbox.hubspot.portal import Portal
from sandbox.hubspot.properties import iso_millis
from sandbox.hubspot.render import json_body, object_type
from sandbox.hubspot.routes_batch import MAX_INPUTS
from sandbox.json_response import FastJSONResponse

PAGE = 500


def _targets(portal: Portal, from_name: str, from_id: str, to_name: str) -> list[dict]:
    edges = portal.associations.of(from_name, from_id, to_name)
    return [{"toObjectId": int(to_id),
             "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": t,
                                   "label": portal.associations.primary_label(t)}
                                  for t in sorted(edges[to_id], reverse=True)]}
            for to_id in sorted(edges, key=int)]


class AssociationRoutes:
    """The routes of this module over one Portal; each handler is a method."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal

    async def batch_read(self, request: Request) -> Response:
        from_def = object_type(self.portal, request.path_params["from"])
        to_def = object_type(self.portal, request.path_params["to"])
        body = await json_body(request)
        inputs = body.get("inputs")
        if not isinstance(inputs, list):
            raise validation("Invalid input JSON: `inputs` is required")
        if len(inputs) > MAX_INPUTS:
            raise validation(f"Invalid input: inputs size must be between 0 and {MAX_INPUTS} (got {len(inputs)})",
                             context={"inputs": [str(len(inputs))]})
        started = self.portal.clock()
        results, missing = [], []
        for item in inputs:
            from_id = str(item.get("id", ""))
            targets = _targets(self.portal, from_def.name, from_id, to_def.name)
            if self.portal.store.get(from_def.name, from_id) is None or not targets:
                missing.append(from_id)
                continue
            results.append({"from": {"id": from_id}, "to": targets})
        out: dict = {"status": "COMPLETE", "results": results}
        if missing:
            out["numErrors"] = len(missing)
            out["errors"] = [batch_error("OBJECT_NOT_FOUND", f"No {to_def.singular} is associated with "
                                         f"{from_def.singular} {m}.", {"fromObjectId": [m]},
                                         sub_category="crm.associations.NO_ASSOCIATIONS_FOUND") for m in missing]
        out["startedAt"] = iso_millis(started)
        out["completedAt"] = iso_millis(self.portal.clock())
        return FastJSONResponse(out, status_code=207 if missing else 200)

    async def list_for_record(self, request: Request) -> Response:
        from_def = object_type(self.portal, request.path_params["from"])
        to_def = object_type(self.portal, request.path_params["to"])
        from_id = request.path_params["id"]
        if self.portal.store.get(from_def.name, from_id) is None:
            raise object_not_found(from_id)
        targets = _targets(self.portal, from_def.name, from_id, to_def.name)
        after = int(request.query_params.get("after", "0") or 0)
        limit = min(int(request.query_params.get("limit", str(PAGE))), PAGE)
        body: dict = {"results": targets[after:after + limit]}
        if after + limit < len(targets):
            body["paging"] = {"next": {"after": str(after + limit)}}
        return FastJSONResponse(body)

    async def labels(self, request: Request) -> Response:
        from_def = object_type(self.portal, request.path_params["from"])
        to_def = object_type(self.portal, request.path_params["to"])
        unlabeled, primary = type_ids(from_def.name, to_def.name)
        results = [{"category": "HUBSPOT_DEFINED", "typeId": unlabeled, "label": None}]
        if primary is not None:
            results.append({"category": "HUBSPOT_DEFINED", "typeId": primary, "label": "Primary"})
        return FastJSONResponse({"results": results})

    async def batch_create(self, request: Request) -> Response:
        from_def = object_type(self.portal, request.path_params["from"])
        to_def = object_type(self.portal, request.path_params["to"])
        body = await json_body(request)
        started, results = self.portal.clock(), []
        for item in body.get("inputs") or []:
            from_id, to_id = str(item["from"]["id"]), str(item["to"]["id"])
            primary_id = TYPE_IDS.get((from_def.name, to_def.name), (None, None))[1]
            primary = any(int(t.get("associationTypeId", -1)) == primary_id for t in item.get("types") or [])
            self.portal.associations.add(from_def.name, from_id, to_def.name, to_id, primary=primary)
            results.append({"fromObjectTypeId": from_def.object_type_id, "fromObjectId": int(from_id),
                            "toObjectTypeId": to_def.object_type_id, "toObjectId": int(to_id),
                            "labels": ["Primary"] if primary else []})
        return FastJSONResponse({"status": "COMPLETE", "results": results, "startedAt": iso_millis(started),
                             "completedAt": iso_millis(self.portal.clock())}, status_code=201)

    async def batch_archive(self, request: Request) -> Response:
        from_def = object_type(self.portal, request.path_params["from"])
        to_def = object_type(self.portal, request.path_params["to"])
        for item in (await json_body(request)).get("inputs") or []:
            for to in item.get("to") or []:
                self.portal.associations.remove(from_def.name, str(item["from"]["id"]), to_def.name, str(to["id"]))
        return Response(status_code=204)

    def routes(self) -> list[Route]:
        return [
            Route("/crm/v4/associations/{from}/{to}/batch/read", self.batch_read, methods=["POST"]),
            Route("/crm/v4/associations/{from}/{to}/batch/create", self.batch_create, methods=["POST"]),
            Route("/crm/v4/associations/{from}/{to}/batch/archive", self.batch_archive, methods=["POST"]),
            Route("/crm/v4/associations/{from}/{to}/labels", self.labels, methods=["GET"]),
            Route("/crm/v4/objects/{from}/{id}/associations/{to}", self.list_for_record, methods=["GET"]),
        ]


def routes(portal: Portal) -> list[Route]:
    return AssociationRoutes(portal).routes()
