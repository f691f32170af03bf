"""The DescribeInstance answer every benchmark call receives: served by bench/server.py, canned by the drivers."""

from __future__ import annotations

import json

ANSWERED_INSTANCE_ID = "90515b5-6115-4ccf-83e2-52d5bfaf2ddf"  # what a parsed answer's Instance.InstanceId must be
BODY = json.dumps(
    {
        "HttpStatusCode": 200,
        "Code": "OK",
        "Message": "Success",
        "RequestId": "254EB995-DEDF-48A4-9101-9CA5B72FFBCC",
        "Success": True,
        "Instance": {
            "CreationTime": 1578469042851,
            "InstanceId": ANSWERED_INSTANCE_ID,
            "CreatorId": 435986,
            "OwnerName": "xxxx",
            "InstanceDescription": "這個是第一個實例",
            "InstanceName": "第一個實例",
            "CreatorName": "xxx",
            "ResourceGroupId": "rg-acfmwd4qr3z773y",
            "MaxConcurrentConversation": 4,
        },
    },
    ensure_ascii=False,
).encode()
HEADERS = {
    "content-type": "application/json;charset=utf-8",
    "x-acs-request-id": "254EB995-DEDF-48A4-9101-9CA5B72FFBCC",
    "content-length": str(len(BODY)),
}
