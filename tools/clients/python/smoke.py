"""Drives a running server through the client openapi-python-client generated from
openapi/openapi.json (scripts/ci/contract.sh): sign in, list with filters, create, read back,
then a stale If-Match (412) and an invalid body (422), each handled as a typed Problem.

    python smoke.py BASE_URL EMAIL PASSWORD

The generated package `msp_registry_client` must be importable (PYTHONPATH).
"""

import sys
import uuid

from msp_registry_client import AuthenticatedClient, Client
from msp_registry_client.api.auth import auth_token, me_get
from msp_registry_client.api.initiatives import (
    initiatives_create,
    initiatives_get,
    initiatives_list,
    initiatives_update,
)
from msp_registry_client.models import (
    CreatedInitiative,
    ErrorCode,
    InitiativeKind,
    InitiativePatch,
    NewInitiative,
    PageInitiative,
    Problem,
    Scope,
    TokenRequest,
    TokenResponse,
    Visibility,
)


def check(condition, message):
    if not condition:
        raise SystemExit(f"python client: {message}")


def main(base, email, password):
    anonymous = Client(base_url=base, raise_on_unexpected_status=True)
    token = auth_token.sync(
        client=anonymous,
        body=TokenRequest(grant_type="password", username=email, password=password),
    )
    check(isinstance(token, TokenResponse), f"sign-in failed: {token}")
    client = AuthenticatedClient(base_url=base, token=token.access_token, raise_on_unexpected_status=True)
    me = me_get.sync(client=client)
    check(me.tenant.slug == "ci-registry", f"signed in to {me.tenant.slug}")

    marker = uuid.uuid4().hex[:10]
    title = f"Python client partnership {marker}"
    created = initiatives_create.sync_detailed(
        client=client,
        body=NewInitiative(title=title, kind=InitiativeKind.MSP, countries=["SN"]),
        idempotency_key=f"python-{marker}",
    )
    check(created.status_code == 201, f"create answered {created.status_code}")
    check(isinstance(created.parsed, CreatedInitiative), "create parsed as CreatedInitiative")
    check(isinstance(created.parsed.possible_duplicates, list), "the create answer lists possible duplicates")
    initiative = created.parsed

    listed = initiatives_list.sync(
        client=client,
        scope=Scope.TENANT,
        q=marker,
        country="SN",
        visibility=Visibility.PRIVATE,
        sort="-start_date,title",
        per_page=10,
    )
    check(isinstance(listed, PageInitiative), f"list parsed as a page: {listed}")
    check([i.id for i in listed.items] == [initiative.id], f"the filtered list finds it: {listed.items}")

    read = initiatives_get.sync_detailed(client=client, id=initiative.id)
    check(read.status_code == 200, f"read back answered {read.status_code}")
    check(read.parsed.title == title, "read back the same title")
    etag = read.headers["etag"]

    stale = initiatives_update.sync(
        client=client,
        id=initiative.id,
        body=InitiativePatch(summary="a change from a stale copy"),
        if_match='"999"',
    )
    check(isinstance(stale, Problem), f"a stale If-Match is a Problem: {stale}")
    check(stale.status == 412 and stale.code == ErrorCode.STALE_VERSION, f"412 stale_version: {stale}")

    invalid = initiatives_update.sync(
        client=client,
        id=initiative.id,
        body=InitiativePatch(countries=["XX"]),
        if_match=etag,
    )
    check(isinstance(invalid, Problem), f"an invalid body is a Problem: {invalid}")
    check(invalid.status == 422 and invalid.code == ErrorCode.VALIDATION, f"422 validation: {invalid}")
    fields = [e.field for e in invalid.errors]
    check(any(f.startswith("countries") for f in fields), f"the 422 names the field: {fields}")

    print(f"python client: signed in, listed, created {initiative.id}, read it back, 412 and 422 typed")


if __name__ == "__main__":
    main(*sys.argv[1:4])
