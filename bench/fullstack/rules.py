#!/usr/bin/env python3
"""REST helper of bench/fullstack/run.sh (standard library only).

  rules.py create URL FIRST LAST PARALLEL BUDGET_S   POST rules other-FIRST..other-LAST (each on its
      own path prefix /other/N/, per IP, never reached) with PARALLEL clients; stops at the budget.
      Prints "CREATED SECONDS".
  rules.py settle URL TIMEOUT_S   waits until the published rules version is the newest and every
      connected node has applied it; prints the seconds it took (exit 1 on timeout).
"""
import concurrent.futures
import json
import sys
import threading
import time
import urllib.request


def post(url, body):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status


def other_rule(i):
    return {"name": f"other-{i}", "match": {"pathPrefix": f"/other/{i}/"}, "by": ["ip"],
            "limit": {"requests": 1000000000, "per": "second"}}


def create(url, first, last, parallel, budget):
    start = time.monotonic()
    deadline = start + budget
    created = 0
    lock = threading.Lock()
    numbers = iter(range(first, last + 1))

    def worker():
        nonlocal created
        while time.monotonic() < deadline:
            with lock:
                i = next(numbers, None)
            if i is None:
                return
            post(f"{url}/api/v1/limits", other_rule(i))
            with lock:
                created += 1

    with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
        for f in [pool.submit(worker) for _ in range(parallel)]:
            f.result()
    print(created, f"{time.monotonic() - start:.1f}")


def settle(url, timeout):
    start = time.monotonic()
    while True:
        with urllib.request.urlopen(f"{url}/api/v1/limits/status", timeout=30) as response:
            status = json.load(response)
        nodes = [n for n in status["nodes"] if n["connected"]]
        if (status["rulesVersion"] == status["publishedRulesVersion"] and nodes
                and all(n["upToDate"] for n in nodes)):
            print(f"{time.monotonic() - start:.1f}")
            return
        if time.monotonic() - start > timeout:
            print(f"not settled after {timeout}s: {json.dumps(status)[:600]}", file=sys.stderr)
            sys.exit(1)
        time.sleep(0.25)


if __name__ == "__main__":
    command, url = sys.argv[1], sys.argv[2]
    if command == "create":
        create(url, *map(int, sys.argv[3:7]))
    elif command == "settle":
        settle(url, int(sys.argv[3]))
    else:
        sys.exit(f"rules.py: unknown command {command}")
