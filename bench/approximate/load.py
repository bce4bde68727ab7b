#!/usr/bin/env python3
"""Load generator of bench/approximate/run.sh (standard library only).

  load.py PORT PATH WINDOW_S PIDS RATES... : sends GET PATH to 127.0.0.1:PORT, where several
      Envoys listen on the same port (SO_REUSEPORT), at a fixed rate on each Envoy: PIDS is the
      Envoys' pids, comma-separated; each RATES entry is one window's requests per second per Envoy,
      comma-separated in the order of PIDS (e.g. "14,6"). The load starts at once; the window it
      starts in (partial) runs the first entry too and is reported as skipped; then one entry per
      whole window of WINDOW_S seconds, aligned to the epoch as the rate-limit service's windows.

Which Envoy serves a connection is the kernel's choice; each connection is identified by the pid
owning its accepted socket (`ss -tnp`), and connections are opened until every Envoy has
CONNECTIONS of them (closing the extra ones). Requests are open-loop: each Envoy's requests are due
at fixed times (1 / rate apart) and sent on a free connection of that Envoy; a reply's status is
counted in the window of the request's send time (wall clock, the clock the service's windows use).

Prints one tab-separated line per window once its last reply is in:
  window <start HH:MM UTC> <skipped 0|1> <offered per Envoy, comma-separated> <200s per Envoy>
  <429s per Envoy> <other replies and errors> <late: requests sent more than 100 ms after due>
  <loadavg 1 5 15 at the window's end>
and at the end "total <200s in all, in any window>" and "cpu <its own CPU seconds>". With BENCH_SECONDS_FILE set, writes there one line per
second: <epoch s> <second of the window> <200s per Envoy> <429s per Envoy>.
"""
import asyncio
import os
import re
import subprocess
import sys
import time

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS_PER_ENVOY", "4"))
LATE_S = 0.1


def owners(port):
    """Client port -> pid of the process holding the accepted socket, for loopback connections."""
    out = subprocess.run(
        ["ss", "-Htnp", "state", "established", f"( sport = :{port} )"],
        capture_output=True, text=True, check=True).stdout
    found = {}
    for m in re.finditer(rf":{port}\s+\S+:(\d+)\s+users:\(\(\"[^\"]*\",pid=(\d+)", out):
        found[int(m.group(1))] = int(m.group(2))
    return found


class Connection:
    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        self.local_port = writer.get_extra_info("sockname")[1]

    async def get(self, request):
        self.writer.write(request)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        length = 0
        close = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        if length:
            await self.reader.readexactly(length)
        return status, close

    def close(self):
        self.writer.close()


async def connect_to(port, pid, pids):
    """A connection the kernel gave to the Envoy `pid` (others are closed, up to a deadline)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        c = Connection(reader, writer)
        owner = None
        for _ in range(100):  # Envoy accepts within milliseconds
            owner = owners(port).get(c.local_port)
            if owner in pids:
                break
            await asyncio.sleep(0.01)
        if owner == pid:
            return c
        c.close()
    raise RuntimeError(f"no connection to Envoy pid {pid} within 30 s")


class Windows:
    """Per window start: counts per Envoy."""

    def __init__(self, n):
        self.n = n
        self.data = {}

    def at(self, start):
        if start not in self.data:
            self.data[start] = {
                "offered": [0] * self.n, "ok": [0] * self.n, "denied": [0] * self.n,
                "other": 0, "late": 0, "inflight": 0}
        return self.data[start]


async def main():
    port, path, window_s = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    pids = [int(p) for p in sys.argv[4].split(",")]
    rates = [[float(r) for r in entry.split(",")] for entry in sys.argv[5:]]
    n = len(pids)
    assert all(len(r) == n for r in rates), "one rate per Envoy in every RATES entry"
    request = f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()

    pools = []
    for pid in pids:
        queue = asyncio.Queue()
        for _ in range(CONNECTIONS):
            queue.put_nowait(await connect_to(port, pid, set(pids)))
        pools.append(queue)

    windows = Windows(n)
    seconds = {}  # epoch second -> [200s per Envoy, 429s per Envoy]
    first = int(time.time()) // window_s * window_s
    end = first + window_s * (len(rates) + 1)  # the partial window, then one per entry

    def rate_at(envoy, t):
        k = int(t) // window_s * window_s
        return rates[max(0, (k - first) // window_s - 1)][envoy] if k > first else rates[0][envoy]

    async def one(envoy, due):
        pool = pools[envoy]
        c = await pool.get()
        sent = time.time()
        w = windows.at(int(sent) // window_s * window_s)
        second = seconds.setdefault(int(sent), [[0] * n, [0] * n])
        w["offered"][envoy] += 1
        w["inflight"] += 1
        if sent - due > LATE_S:
            w["late"] += 1
        try:
            status, close = await c.get(request)
            if status == 200:
                w["ok"][envoy] += 1
                second[0][envoy] += 1
            elif status == 429:
                w["denied"][envoy] += 1
                second[1][envoy] += 1
            else:
                w["other"] += 1
        except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            w["other"] += 1
            close = True
        finally:
            w["inflight"] -= 1
        if close:
            c.close()
            c = await connect_to(port, pids[envoy], set(pids))
        pool.put_nowait(c)

    async def sender(envoy):
        tasks = set()
        due = time.time()
        while due < end:
            delay = due - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(one(envoy, due))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            rate = rate_at(envoy, due)
            due += 1.0 / rate if rate > 0 else 0.1
        if tasks:
            await asyncio.gather(*tasks)

    async def reporter():
        for k in range(len(rates) + 1):
            start = first + k * window_s
            await asyncio.sleep(max(0, start + window_s + 0.5 - time.time()))
            w = windows.at(start)
            for _ in range(200):
                if w["inflight"] == 0:
                    break
                await asyncio.sleep(0.05)
            with open("/proc/loadavg") as f:
                load = " ".join(f.read().split()[:3])
            print("window", time.strftime("%H:%M", time.gmtime(start)), 1 if k == 0 else 0,
                  ",".join(map(str, w["offered"])), ",".join(map(str, w["ok"])),
                  ",".join(map(str, w["denied"])), w["other"], w["late"], load,
                  sep="\t", flush=True)

    await asyncio.gather(reporter(), *(sender(i) for i in range(n)))
    detail = os.environ.get("BENCH_SECONDS_FILE")
    if detail:
        with open(detail, "w") as f:
            for t in sorted(seconds):
                ok, denied = seconds[t]
                print(t, t % window_s, ",".join(map(str, ok)), ",".join(map(str, denied)),
                      sep="\t", file=f)
    print("total", sum(sum(w["ok"]) for w in windows.data.values()), sep="\t", flush=True)
    cpu = os.times()
    print("cpu", f"{cpu.user + cpu.system:.2f}", sep="\t", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
