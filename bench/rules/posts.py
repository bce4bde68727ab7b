"""Creates rules with single POST /api/v1/limits requests, as a bulk script would: K clients, each
on one keep-alive connection, sending one request at a time. Prints one line of figures:
"seconds ms_per_rule p50_ms p99_ms codes version" (codes: status=count joined by ","; version: the
highest rules version a write returned).
Usage: posts.py REST_PORT PREFIX COUNT CLIENTS"""
import http.client
import json
import sys
import threading
import time

port, prefix, count, clients = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
latencies, codes, versions, lock = [], {}, [0], threading.Lock()


def client(first):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for i in range(first, count, clients):
        body = json.dumps({"name": f"{prefix}-{i:05d}", "match": {"pathPrefix": f"/{prefix}/{i:05d}/"},
                           "by": ["ip"], "limit": {"requests": 100, "per": "minute"}})
        start = time.perf_counter()
        conn.request("POST", "/api/v1/limits", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
        took = time.perf_counter() - start
        with lock:
            latencies.append(took)
            codes[response.status] = codes.get(response.status, 0) + 1
            if response.status == 201:
                versions[0] = max(versions[0], json.loads(payload)["version"])


start = time.perf_counter()
threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.perf_counter() - start
latencies.sort()
at = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
print(f"{elapsed:.1f} {elapsed / count * 1000:.2f} {at(0.5):.1f} {at(0.99):.1f} "
      + ",".join(f"{c}={n}" for c, n in sorted(codes.items())) + f" {versions[0]}")
