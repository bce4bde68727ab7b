"""Grafana stand-in for the compose test (see grafana.Dockerfile).

Reads /etc/grafana/provisioning as Grafana does ($VAR and ${VAR} expanded from the environment;
datasources/*.yaml, dashboards/*.yaml providers whose options.path holds the dashboard JSON files)
and serves on :3000:
  GET /api/health                               {"database": "ok", ...}
  GET /api/datasources                          the provisioned datasources
  GET /api/search                               the provisioned dashboards (uid, title, folderTitle)
  GET /api/dashboards/uid/UID                   {"dashboard": ...}
  GET /api/datasources/proxy/uid/UID/PATH?QUERY forwarded to the datasource's url + PATH?QUERY
A provisioning file that does not parse stops it (exit 1), as it stops Grafana.
"""
import glob
import json
import os
import re
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

ROOT = os.environ.get("GF_PATHS_PROVISIONING", "/etc/grafana/provisioning")


def expand(text):
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: os.environ.get(m.group(1) or m.group(2), ""), text)


def load(pattern):
    docs = []
    for name in sorted(glob.glob(os.path.join(ROOT, pattern))):
        with open(name, encoding="utf-8") as f:
            docs.append(yaml.safe_load(expand(f.read())) or {})
    return docs


datasources = [d for doc in load("datasources/*.yaml") for d in doc.get("datasources", [])]
dashboards = {}
for doc in load("dashboards/*.yaml"):
    for provider in doc.get("providers", []):
        for name in sorted(glob.glob(os.path.join(provider["options"]["path"], "*.json"))):
            with open(name, encoding="utf-8") as f:
                board = json.load(f)
            dashboards[board["uid"]] = (provider.get("folder", ""), board)
if not datasources or not dashboards:
    sys.exit(f"grafana-standin: no datasources ({len(datasources)}) or dashboards ({len(dashboards)}) under {ROOT}")


class Api(BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path == "/api/health":
            return self.reply(200, {"database": "ok", "version": "stand-in"})
        if path == "/api/datasources":
            return self.reply(200, datasources)
        if path == "/api/search":
            return self.reply(200, [{"uid": u, "title": b["title"], "folderTitle": f} for u, (f, b) in sorted(dashboards.items())])
        m = re.fullmatch(r"/api/dashboards/uid/([^/]+)", path)
        if m:
            if m.group(1) not in dashboards:
                return self.reply(404, {"message": "Dashboard not found"})
            return self.reply(200, {"dashboard": dashboards[m.group(1)][1]})
        m = re.fullmatch(r"/api/datasources/proxy/uid/([^/]+)(/.*)", path)
        if m:
            source = next((d for d in datasources if d.get("uid") == m.group(1)), None)
            if source is None:
                return self.reply(404, {"message": "Data source not found"})
            url = source["url"].rstrip("/") + m.group(2) + ("?" + query if query else "")
            try:
                with urllib.request.urlopen(url, timeout=10) as r:
                    return self.reply(r.status, json.load(r))
            except urllib.error.HTTPError as e:
                return self.reply(e.code, {"message": str(e)})
            except (urllib.error.URLError, OSError) as e:
                return self.reply(502, {"message": f"{url}: {e}"})
        return self.reply(404, {"message": "Not found"})

    def log_message(self, fmt, *args):
        sys.stderr.write("grafana-standin: " + fmt % args + "\n")


ThreadingHTTPServer(("0.0.0.0", 3000), Api).serve_forever()
