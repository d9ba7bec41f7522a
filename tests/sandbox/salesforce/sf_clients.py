"""simple-salesforce clients that trust the sandbox CA file (certificate verification stays on)."""

from __future__ import annotations

import requests
from simple_salesforce import Salesforce

from sandbox.runtime import RunningSandbox


def http_session(ca_file: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override session.verify
    session.verify = ca_file
    return session


def client(sb: RunningSandbox, token: str | None = None) -> Salesforce:
    return Salesforce(session_id=token or sb.token, instance_url=sb.base_url, session=http_session(sb.ca_file))


def integration_user_id(sb: RunningSandbox) -> str:
    """The API user's id as a real client learns it: the last segment of the `id` URL in the OAuth token
    response (here the client-credentials grant of the sandbox's connected app)."""
    answer = http_session(sb.ca_file).post(f"{sb.base_url}/services/oauth2/token", data={
        "grant_type": "client_credentials", "client_id": sb.client_id, "client_secret": sb.client_secret})
    answer.raise_for_status()
    return str(answer.json()["id"]).rsplit("/", 1)[-1]


def grant_fields(sf: Salesforce, user_id: str, name: str, fields: list[str], edit: bool = True) -> str:
    """What a connector's install does for the custom fields it created: a permission set with one
    FieldPermissions row per field ("Object.Field__c"), assigned to the integration user. Its id."""
    permission_set = sf.PermissionSet.create({"Name": name, "Label": name.replace("_", " ")})["id"]
    for full_name in fields:
        sf.FieldPermissions.create({"ParentId": permission_set, "SobjectType": full_name.split(".")[0],
                                    "Field": full_name, "PermissionsRead": True, "PermissionsEdit": edit})
    sf.PermissionSetAssignment.create({"AssigneeId": user_id, "PermissionSetId": permission_set})
    return str(permission_set)


def grant_object(sf: Salesforce, permission_set: str, sobject: str, **permissions: bool) -> str:
    """An ObjectPermissions row on `permission_set` for custom object `sobject` (Read, Create and Edit
    unless `permissions` say otherwise, e.g. `PermissionsCreate=False`). Its id."""
    flags = {"PermissionsRead": True, "PermissionsCreate": True, "PermissionsEdit": True} | permissions
    return str(sf.ObjectPermissions.create({"ParentId": permission_set, "SobjectType": sobject} | flags)["id"])
