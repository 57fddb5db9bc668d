"""A fault layer in front of moto: what real AWS does and moto never does.

Wraps the server's WSGI application. Faults and the call record are scoped by the caller's access key
id (from the SigV4 `Authorization` header), so tests running side by side against one server each get
their own faults and see only their own calls; a key with no rules passes straight through.

Control (plain HTTP, no signature):

  POST   /_faults   {"key": K, ...rules}   set K's rules (replacing earlier ones) and start its record
  GET    /_faults?key=K                    K's calls so far: [{"n", "service", "action", "status",
                                           "fault", "ms" (time taken), "t" (Unix time, s),
                                           "pending" (see "timing")}]
  DELETE /_faults?key=K                    forget K's rules and record

Rules (all optional):

  "throttle": 0.2      share of calls answered with the service's throttling error, in its protocol
                       (EC2: 503 RequestLimitExceeded; JSON services: 400 ThrottlingException; query
                       services: 400 Throttling; S3: 503 SlowDown). A throttled call does not reach
                       moto. S3's REST calls are named by their operation (`PutBucketPolicy`), from
                       the SDK's `x-id` or the bucket subresource.
  "seed": 7            seed of the throttling draw
  "latency_ms": 100    added before every call
  "fail": [{"action": "CreateVpc", "nth": 2, "code": "InjectedFailure", "status": 400,
            "message": "…"}]
                       the nth call (1-based) of that action is refused with that error (a 4xx is
                       not retried by the SDK); it does not reach moto
  "hold": [{"action": "DescribeDBInstances", "polls": 5, "from": "available", "to": "creating"}]
                       the next `polls` answers of that action have `from` replaced by `to`: an object
                       kept in a pending state for a number of polls (`polls` < 0: for ever)
"""
import json
import random
import re
import threading
import time
import urllib.parse
import uuid
from typing import Any, Callable, Iterable

import local_aws_timing as timing

Environ = dict[str, Any]

_LOCK = threading.Lock()
# The request being served on this thread (the server runs a thread per request).
REQUEST = threading.local()
_RULES: dict[str, dict] = {}
_CALLS: dict[str, list[dict]] = {}
_COUNTS: dict[str, dict[str, int]] = {}
_RANDOM: dict[str, random.Random] = {}


def _credential(environ: Environ) -> tuple[str, str]:
    """(access key id, service) from a SigV4 Authorization header."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    marker = "Credential="
    if marker not in auth:
        return "", ""
    scope = auth.split(marker, 1)[1].split(",", 1)[0].split("/")
    key = scope[0] if scope else ""
    service = scope[3] if len(scope) > 3 else ""
    return key, service


def _body(environ: Environ) -> bytes:
    """Reads the request body and puts it back for the application."""
    import io

    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


# S3 bucket calls by (method, subresource): REST calls name their operation only in the URL.
_S3_BUCKET_OPERATIONS = {
    ("HEAD", ""): "HeadBucket",
    ("PUT", ""): "CreateBucket",
    ("DELETE", ""): "DeleteBucket",
    ("GET", ""): "ListObjects",
    ("GET", "versions"): "ListObjectVersions",
    ("POST", "delete"): "DeleteObjects",
    ("GET", "tagging"): "GetBucketTagging",
    ("PUT", "tagging"): "PutBucketTagging",
    ("GET", "publicAccessBlock"): "GetPublicAccessBlock",
    ("PUT", "publicAccessBlock"): "PutPublicAccessBlock",
    ("GET", "policy"): "GetBucketPolicy",
    ("PUT", "policy"): "PutBucketPolicy",
    ("DELETE", "policy"): "DeleteBucketPolicy",
    ("GET", "encryption"): "GetBucketEncryption",
    ("PUT", "encryption"): "PutBucketEncryption",
    ("GET", "ownershipControls"): "GetBucketOwnershipControls",
    ("PUT", "ownershipControls"): "PutBucketOwnershipControls",
    ("GET", "versioning"): "GetBucketVersioning",
    ("PUT", "versioning"): "PutBucketVersioning",
    ("GET", "lifecycle"): "GetBucketLifecycleConfiguration",
    ("PUT", "lifecycle"): "PutBucketLifecycleConfiguration",
}


def _s3_operation(environ: Environ) -> str:
    """The S3 operation of a path-style call: `x-id` where the SDK sends it, else the bucket
    subresource table; object calls by method."""
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    if "x-id" in query:
        return query["x-id"][0]
    method = environ.get("REQUEST_METHOD", "")
    path = environ.get("PATH_INFO", "").strip("/")
    if "/" in path:
        return {"GET": "GetObject", "HEAD": "HeadObject", "PUT": "PutObject", "DELETE": "DeleteObject"}.get(
            method, f"{method} object"
        )
    for (m, sub), op in _S3_BUCKET_OPERATIONS.items():
        if m == method and sub and sub in query:
            return op
    return _S3_BUCKET_OPERATIONS.get((method, ""), f"{method} bucket")


def _action(environ: Environ, body: bytes, service: str = "") -> tuple[str, str]:
    """(action, protocol): `json` (X-Amz-Target), `query` (Action=…) or `rest`."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1], "json"
    if service == "s3":
        return _s3_operation(environ), "rest"
    for text in (environ.get("QUERY_STRING", ""), body.decode("utf-8", "replace")):
        action = urllib.parse.parse_qs(text).get("Action")
        if action:
            return action[0], "query"
    return f"{environ.get('REQUEST_METHOD', '')} {environ.get('PATH_INFO', '')}", "rest"


def _error(service: str, protocol: str, status: int, code: str, message: str):
    """An AWS error in the caller's protocol: (status line, headers, body)."""
    rid = str(uuid.uuid4())
    if protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", rid)]
    elif service == "s3":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><Error>'
            f"<Code>{code}</Code><Message>{message}</Message><RequestId>{rid}</RequestId></Error>"
        ).encode()
        headers = [("Content-Type", "application/xml"), ("x-amz-request-id", rid)]
    elif service == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>'
            f"<Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            f"<RequestID>{rid}</RequestID></Response>"
        ).encode()
        headers = [("Content-Type", "text/xml")]
    else:
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type>'
            f"<Code>{code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>{rid}</RequestId></ErrorResponse>"
        ).encode()
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", rid)]
    reason = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable"}
    return f"{status} {reason.get(status, 'Error')}", headers + [("Content-Length", str(len(body)))], body


def _throttle(service: str, protocol: str):
    if protocol == "json":
        return _error(service, protocol, 400, "ThrottlingException", "Rate exceeded")
    if service == "ec2":
        return _error(service, protocol, 503, "RequestLimitExceeded", "Request limit exceeded.")
    if service == "s3":
        return _error(service, protocol, 503, "SlowDown", "Please reduce your request rate.")
    return _error(service, protocol, 400, "Throttling", "Rate exceeded")


def _fix_denials(app: Callable, environ: Environ, start_response: Callable) -> Iterable[bytes]:
    """moto's IAM enforcement answers EC2 and query-protocol calls it denies with
    `<ErrorResponse><Errors><Error>…`, which AWS never sends and the SDKs cannot read (no error code);
    AWS's shape is `<ErrorResponse><Error>…`."""
    captured: dict[str, Any] = {}

    def capture(status, headers, exc_info=None):  # type: ignore[no-untyped-def]
        captured["status"], captured["headers"] = status, headers
        return lambda _data: None

    chunks = app(environ, capture)
    try:
        out = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    if captured["status"].startswith("403") and environ.get("HTTP_X_AMZ_TARGET") and out.startswith(b"<?xml"):
        # ...and JSON-protocol callers (KMS, Logs, Secrets Manager) get XML: AWS sends JSON.
        m = re.search(rb"<Message>(.*?)</Message>", out, re.S)
        message = m.group(1).decode("utf-8", "replace") if m else "access denied"
        out = json.dumps({"__type": "AccessDeniedException", "message": message}).encode()
        captured["headers"] = [
            (k, "application/x-amz-json-1.1" if k.lower() == "content-type" else v) for k, v in captured["headers"]
        ]
    if captured["status"].startswith("403") and b"<ErrorResponse><Errors><Error>" in out:
        out = out.replace(b"<ErrorResponse><Errors><Error>", b"<ErrorResponse><Error>")
        out = out.replace(b"</Error></Errors>", b"</Error>")
        captured["headers"] = [(k, "text/xml" if k.lower() == "content-type" else v) for k, v in captured["headers"]]
    headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(out))))
    start_response(captured["status"], headers)
    return [out]


def _timed(clock, action, p, service, protocol, answer):  # type: ignore[no-untyped-def]
    """An answer as AWS gives it under the key's timing: (status, headers, body, [id=state])."""
    status, headers, out = answer
    changed = clock.after(action, p, int(status.split(" ", 1)[0]), out.decode("utf-8", "replace"))
    if changed is None:
        return status, headers, out, []
    if changed[0] == "error":
        status, headers, out = _error(service, protocol, *changed[1])
        return status, headers, out, changed[2]
    out = changed[1].encode()
    headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
    return "200 OK", headers + [("Content-Length", str(len(out)))], out, changed[2]


class FaultLayer:
    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: Environ, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").rstrip("/") == "/_faults":
            return self._control(environ, start_response)
        # The exact bytes the caller signed, for moto's signature check (see local_aws_server.py).
        # REST calls (AWS Backup's) send their JSON with PUT as well; a body of unknown length
        # (chunked) is left alone.
        method = environ.get("REQUEST_METHOD")
        sized = (environ.get("CONTENT_LENGTH") or "0") not in ("", "0")
        REQUEST.raw_body = _body(environ) if method == "POST" or (method in ("PUT", "PATCH") and sized) else b""
        key, service = _credential(environ)
        with _LOCK:
            rules = _RULES.get(key)
        if rules is None and timing.server_rule() is not None:
            rules = {"timing": timing.server_rule(), "unrecorded": True}
        if rules is None:
            return _fix_denials(self.app, environ, start_response)
        return self._faulted(key, service, rules, environ, start_response)

    # ---- the control endpoint ----
    def _control(self, environ: Environ, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        key = (query.get("key") or [""])[0]
        with _LOCK:
            if method == "POST":
                rules = json.loads(_body(environ) or b"{}")
                key = rules.pop("key", key)
                _RULES[key] = rules
                _CALLS[key] = []
                _COUNTS[key] = {}
                _RANDOM[key] = random.Random(rules.get("seed", 0))
                timing.forget(key)
                out: Any = {"key": key}
            elif method == "DELETE":
                for table in (_RULES, _CALLS, _COUNTS, _RANDOM):
                    table.pop(key, None)
                timing.forget(key)
                out = {"key": key}
            else:
                out = list(_CALLS.get(key, []))
        body = json.dumps(out).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    # ---- a call under rules ----
    def _faulted(self, key, service, rules, environ, start_response):  # type: ignore[no-untyped-def]
        body = getattr(REQUEST, "raw_body", b"")
        action, protocol = _action(environ, body, service)
        started = time.monotonic()
        latency = rules.get("latency_ms", 0)
        if latency:
            time.sleep(latency / 1000)
        with _LOCK:
            counts = _COUNTS.setdefault(key, {})
            counts[action] = counts.get(action, 0) + 1
            nth = counts[action]
            fault = None
            for f in rules.get("fail", []):
                if f.get("action") == action and f.get("nth", 1) == nth:
                    fault = "failed", _error(
                        service,
                        protocol,
                        f.get("status", 400),
                        f.get("code", "InjectedFailure"),
                        f.get("message", f"the fault layer refused call {nth} of {action}"),
                    )
            share = rules.get("throttle", 0)
            if fault is None and share and _RANDOM[key].random() < share:
                fault = "throttled", _throttle(service, protocol)
            hold = None
            for h in [] if fault else rules.get("hold", []):
                if h.get("action") == action and h.get("polls", 0) != 0:
                    h["polls"] = h["polls"] - 1 if h["polls"] > 0 else h["polls"]
                    hold = h
        rule = rules.get("timing") or timing.server_rule()
        clock = timing.clock(key, rule) if rule else None
        p = timing.params(environ.get("QUERY_STRING", ""), body) if clock else {}
        refused = clock.refuse(action, p) if clock and fault is None else None
        if refused is not None:
            fault = "timing", _error(service, protocol, *refused)
        pending: list[str] = []
        if fault is not None:
            kind, (status, headers, out) = fault
        else:
            status, headers, out, kind = self._forward(environ, hold)
            if clock is not None:
                status, headers, out, pending = _timed(clock, action, p, service, protocol, (status, headers, out))
        record = {
            "n": nth,
            "service": service,
            "action": action,
            "status": int(status.split(" ", 1)[0]),
            "fault": kind,
            "ms": round((time.monotonic() - started) * 1000, 1),
            "t": round(time.time(), 3),
            "pending": pending,
        }
        with _LOCK:
            if not rules.get("unrecorded"):
                _CALLS.setdefault(key, []).append(record)
        start_response(status, headers)
        return [out]

    def _forward(self, environ, hold):  # type: ignore[no-untyped-def]
        captured: dict[str, Any] = {}

        def capture(status, headers, exc_info=None):  # type: ignore[no-untyped-def]
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None

        chunks = self.app(environ, capture)
        try:
            out = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        kind = ""
        if hold is not None:
            out = out.replace(hold["from"].encode(), hold["to"].encode())
            kind = "held"
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(out))))
        return captured["status"], headers, out, kind
