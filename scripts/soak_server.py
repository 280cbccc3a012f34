"""Soak test of the idefics4j server under the hostile inputs of issue 21. Run it through scripts/soak-server.

While the attacks run, /health is polled every 200 ms (each answer within 1 s) and the server's resident memory is
sampled from /proc/PID/status; every refusal must have a JSON body, /metrics must count the refusals, nothing may
hang. A summary table ends the run; the exit status is 1 if any check failed, 2 if the soak could not run.
Python 3 standard library only.
"""
import argparse
import base64
import http.client
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zlib
from concurrent.futures import ThreadPoolExecutor

SLOW_HOST = "127.0.0.2"
QUICK_S = 5.0
PHASE = ["start"]


def parse_args():
    p = argparse.ArgumentParser(
        prog="scripts/soak-server",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Replays issue 21's attacks against an idefics4j server and checks it stays responsive and "
                    "bounded. By default it starts `serve` with the bundled tiny model (from the CLI jar: build it "
                    "with mvn -B -q -o -ntp -pl idefics4j-cli -am package -DskipTests) and stops it at the end.",
        epilog="""checks:
  health        GET /health every 200 ms throughout; every answer 200 within 1 s
  rss           the server's VmHWM (peak resident set, /proc/PID/status) at most --rss-bound-mib
  json          every refused request (status >= 400) has a JSON body
  metrics       idefics4j_requests_total counted the refusals (outcomes other than success and cancelled)
  no-hang       every request answered within its time limit, no connection closed without a response
  each attack   its own expectation (status, message, time), listed in the table

RSS bound: by default the heap the script gives the server (--xmx, -Xmx, 1024 MiB) plus 512 MiB for what the JVM
holds besides the heap (metaspace, JIT code, GC structures, thread stacks, I/O buffers, the tiny model's mapped
weights). With --url, pass the server's --pid and its own bound (add the weights' size for a real model).
With --url the server must run with --media-dir (the same folder as --media-dir here) for the FIFO attack and with
--allow 127.0.0.2/32 for the slow image host; without them those checks are reported as SKIP.""")
    p.add_argument("--url", help="attack a server already running at this base URL instead of starting one")
    p.add_argument("--pid", type=int, help="with --url: the server's process id, for the memory checks")
    p.add_argument("--media-dir", help="with --url: the server's --media-dir (the FIFO is made there)")
    p.add_argument("--xmx", type=int, default=1024, help="heap of the server this script starts, MiB (default 1024)")
    p.add_argument("--rss-bound-mib", type=int, help="bound on the server's VmHWM, MiB (default: --xmx + 512)")
    p.add_argument("--java", default="java", help="java executable (default: java on PATH)")
    p.add_argument("--jvm-arg", action="append", default=[], metavar="ARG",
                   help="one more JVM option for the server this script starts (repeatable)")
    p.add_argument("--classpath", help="the CLI's classpath (default: idefics4j-cli/target jar and lib/*)")
    p.add_argument("--disconnects", type=int, default=200, help="streaming requests cut mid-stream (default 200)")
    p.add_argument("--big-images", type=int, default=12, help="9400x9400 PNGs sent at once (default 12)")
    p.add_argument("--fetch-deadline", type=float, default=30.0,
                   help="the server's --fetch-deadline, seconds (default 30, the server's default)")
    args = p.parse_args()
    if args.rss_bound_mib is None and args.url is None:
        args.rss_bound_mib = args.xmx + 512
    return args


class Report:
    """Checks as they are decided, for the final table."""

    def __init__(self):
        self.rows = []
        self.lock = threading.Lock()

    def check(self, name, ok, detail):
        with self.lock:
            self.rows.append((name, "PASS" if ok else "FAIL", detail))
        print(f"  {'ok  ' if ok else 'FAIL'} {name}: {detail}", flush=True)
        return ok

    def skip(self, name, why):
        with self.lock:
            self.rows.append((name, "SKIP", why))
        print(f"  skip {name}: {why}", flush=True)

    def table(self):
        width = max(len(r[0]) for r in self.rows)
        print()
        print(f"{'check'.ljust(width)}  result  detail")
        print(f"{'-' * width}  ------  ------")
        for name, result, detail in self.rows:
            print(f"{name.ljust(width)}  {result.ljust(6)}  {detail}")
        failed = sum(1 for r in self.rows if r[1] == "FAIL")
        print()
        print(f"{len(self.rows)} checks: {len(self.rows) - failed - self.skipped()} passed, {failed} failed, "
              f"{self.skipped()} skipped")
        return failed

    def skipped(self):
        return sum(1 for r in self.rows if r[1] == "SKIP")


class Response:
    def __init__(self, status, body, seconds, error=None, content_type=""):
        self.status = status
        self.body = body
        self.seconds = seconds
        self.error = error
        self.content_type = content_type

    def json(self):
        try:
            return json.loads(self.body)
        except (ValueError, TypeError):
            return None

    def message(self):
        doc = self.json()
        if isinstance(doc, dict):
            err = doc.get("error")
            if isinstance(err, dict):
                return str(err.get("message"))
            if err is not None:
                return str(err)
        return (self.body or b"")[:200].decode("utf-8", "replace")

    def describe(self):
        if self.status is None:
            return f"no response ({self.error}) after {self.seconds:.1f} s"
        return f"{self.status} in {self.seconds:.2f} s: {self.message()[:140]}"


class Client:
    """Requests to the server; every response with a status of 400 or more is recorded as a refusal."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host = u.hostname
        self.port = u.port or 80
        self.refusals = []
        self.unanswered = []
        self.lock = threading.Lock()

    def request(self, method, path, body=None, timeout=60.0, label="", record=True):
        data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        start = time.monotonic()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            headers = {"Content-Type": "application/json"} if data is not None else {}
            conn.request(method, path, body=data, headers=headers)
            r = conn.getresponse()
            payload = r.read()
            resp = Response(r.status, payload, time.monotonic() - start, content_type=r.getheader("Content-Type", ""))
        except (OSError, http.client.HTTPException) as e:
            resp = Response(None, b"", time.monotonic() - start, error=f"{type(e).__name__}: {e}")
        finally:
            conn.close()
        if record:
            self.record(resp, label)
        return resp

    def raw(self, data, timeout=15.0, label=""):
        """Bytes as written, for what an HTTP library will not send; the response read to its end."""
        start = time.monotonic()
        try:
            with socket.create_connection((self.host, self.port), timeout=timeout) as s:
                s.sendall(data)
                chunks = []
                while True:
                    try:
                        b = s.recv(65536)
                    except ConnectionResetError:
                        break
                    if not b:
                        break
                    chunks.append(b)
                    if complete(b"".join(chunks)):
                        break
            raw = b"".join(chunks)
            m = re.match(rb"HTTP/1\.[01] (\d{3})", raw)
            if not m:
                resp = Response(None, raw, time.monotonic() - start, error=f"no status line in {raw[:60]!r}")
            else:
                head, _, payload = raw.partition(b"\r\n\r\n")
                ctype = re.search(rb"(?im)^content-type:\s*([^\r\n]*)", head)
                resp = Response(int(m.group(1)), payload, time.monotonic() - start,
                                content_type=ctype.group(1).decode() if ctype else "")
        except OSError as e:
            resp = Response(None, b"", time.monotonic() - start, error=f"{type(e).__name__}: {e}")
        self.record(resp, label)
        return resp

    def record(self, resp, label):
        with self.lock:
            if resp.status is None:
                self.unanswered.append((label, resp.error))
            elif resp.status >= 400:
                self.refusals.append((label, resp.status, resp.json() is not None, resp.content_type))


def complete(raw):
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        return False
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return m is not None and len(body) >= int(m.group(1))


class HealthPoller(threading.Thread):
    def __init__(self, client, interval=0.2, limit=1.0):
        super().__init__(daemon=True)
        self.client = client
        self.interval = interval
        self.limit = limit
        self.stop = threading.Event()
        self.latencies = []
        self.failures = []

    def run(self):
        while not self.stop.is_set():
            r = self.client.request("GET", "/health", timeout=10.0, label="health", record=False)
            self.latencies.append(r.seconds)
            if r.status != 200 or r.seconds > self.limit:
                self.failures.append((time.strftime("%H:%M:%S"), PHASE[0], r.describe()))
            self.stop.wait(max(0.0, self.interval - r.seconds))


class RssSampler(threading.Thread):
    def __init__(self, pid, interval=0.2):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.stop = threading.Event()
        self.max_rss = 0
        self.hwm = 0
        self.samples = 0

    def read(self):
        try:
            with open(f"/proc/{self.pid}/status") as f:
                text = f.read()
        except OSError:
            return None
        fields = dict(re.findall(r"(?m)^(VmRSS|VmHWM):\s+(\d+) kB", text))
        return int(fields.get("VmRSS", 0)) >> 10, int(fields.get("VmHWM", 0)) >> 10

    def run(self):
        while not self.stop.is_set():
            v = self.read()
            if v:
                self.samples += 1
                self.max_rss = max(self.max_rss, v[0])
                self.hwm = max(self.hwm, v[1])
            self.stop.wait(self.interval)


class SlowHeaderHost(threading.Thread):
    """An image host that answers a status line, then one header line every 5 s, never finishing its headers."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((SLOW_HOST, 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.connections = 0

    def run(self):
        self.sock.settimeout(0.5)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.trickle, args=(conn,), daemon=True).start()

    def trickle(self, conn):
        try:
            conn.settimeout(5)
            try:
                conn.recv(65536)
            except socket.timeout:
                pass
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            n = 0
            while not self.stop.wait(5.0):
                n += 1
                conn.sendall(f"X-Slow-{n}: still coming\r\n".encode())
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.sock.close()


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def solid_png(width, height, rgb=(200, 120, 40)):
    """A valid RGB PNG of one colour: every row after the first repeats the one above (filter Up), so 9400 x 9400
    compresses to under 300 KB while a decoder still produces width x height pixels."""
    c = zlib.compressobj(9)
    parts = [c.compress(b"\x00" + bytes(rgb) * width)]
    up = b"\x02" + bytes(3 * width)
    for _ in range(height - 1):
        parts.append(c.compress(up))
    parts.append(c.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def data_url(png):
    return "data:image/png;base64," + base64.b64encode(png).decode()


def chat(content, **extra):
    body = {"model": "tiny", "messages": [{"role": "user", "content": content}], "max_tokens": 2}
    body.update(extra)
    return body


def image_chat(url, text="Describe the image.", **extra):
    return chat([{"type": "image_url", "image_url": {"url": url}}, {"type": "text", "text": text}], **extra)


def tgi(inputs, **parameters):
    parameters.setdefault("max_new_tokens", 2)
    return {"inputs": inputs, "parameters": parameters}


def metrics(client):
    r = client.request("GET", "/metrics", timeout=10.0, label="metrics", record=False)
    counts, gauges = {}, {}
    text = (r.body or b"").decode("utf-8", "replace")
    for route, outcome, value in re.findall(
            r'(?m)^idefics4j_requests_total\{route="([^"]*)",outcome="([^"]*)"\} (\S+)$', text):
        counts[(route, outcome)] = float(value)
    for name, value in re.findall(r"(?m)^(idefics4j_queue_size|idefics4j_batch_size) (\S+)$", text):
        gauges[name] = float(value)
    return counts, gauges, r.status == 200


def refused(report, name, r, statuses, limit=QUICK_S, must_say=None, must_not_say=None):
    """A refusal: one of the statuses, a JSON body, in time, and (optionally) saying or not saying something."""
    msg = r.message() if r.status else ""
    ok = (r.status in statuses and r.json() is not None and r.seconds <= limit
          and (must_say is None or must_say.lower() in msg.lower())
          and (must_not_say is None or must_not_say not in msg))
    want = "/".join(map(str, statuses)) + f" JSON within {limit:g} s" + (f" naming '{must_say}'" if must_say else "")
    return report.check(name, ok, r.describe() + ("" if ok else f" (want {want})"))


def in_parallel(n, fn):
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(fn, range(n)))


# The attacks (issue 21 items 1-5, 8, 9, 11) --------------------------------------------------------------------

def regex_bomb(report, client):
    bomb = "![" * 100_000
    rs = in_parallel(2, lambda _: client.request("POST", "/generate", tgi(bomb), label="regex bomb"))
    for i, r in enumerate(rs):
        refused(report, f"1 '![' x100,000 to /generate ({i + 1}/2)", r, {413, 422}, must_say="characters")
    under = "![" * 32_000
    rs = in_parallel(2, lambda _: client.request("POST", "/generate", tgi(under), label="regex bomb 64k"))
    for i, r in enumerate(rs):
        refused(report, f"1 '![' x32,000 (under the character cap) ({i + 1}/2)", r, {422})


def whitespace(report, client):
    for n in (80_000, 60_000):
        text = "x" + " " * n + "y"
        refused(report, f"1 'x'+{n:,} spaces+'y' to /generate", client.request(
            "POST", "/generate", tgi(text), label="whitespace"), {413, 422})
        refused(report, f"1 'x'+{n:,} spaces+'y' to /v1/chat/completions", client.request(
            "POST", "/v1/chat/completions", chat(text), label="whitespace"), {400, 413})


def slow_host_start(report, client, host, deadline):
    """Four requests whose image host trickles headers; returns a function that checks them at the end."""
    url = f"http://{SLOW_HOST}:{host.port}/slow.png"
    results = [None] * 4
    threads = []

    def send(i):
        body = tgi(f"![]({url})Describe it.") if i % 2 == 0 else image_chat(url)
        path = "/generate" if i % 2 == 0 else "/v1/chat/completions"
        results[i] = client.request("POST", path, body, timeout=deadline + 60, label="slow host")

    for i in range(4):
        t = threading.Thread(target=send, args=(i,), daemon=True)
        t.start()
        threads.append(t)

    def finish():
        for t in threads:
            t.join(deadline + 90)
        for i, r in enumerate(results):
            if r is None:
                report.check(f"2 slow-header image host ({i + 1}/4)", False, "still waiting")
                continue
            refused(report, f"2 slow-header image host ({i + 1}/4)", r, {400, 422}, limit=deadline + 10,
                    must_say="cannot use an image")
        if host.connections == 0 and all(r is not None and "refused to fetch" in r.message() for r in results):
            report.skip("2 slow host was reached", f"the server refuses {SLOW_HOST}: start it with --allow "
                        f"{SLOW_HOST}/32")
        else:
            report.check("2 slow host was reached", host.connections >= 1,
                         f"{host.connections} connection(s) to {SLOW_HOST}:{host.port}")

    return finish


def fifo(report, client, media_dir):
    if media_dir is None:
        report.skip("3 FIFO in --media-dir", "no --media-dir given")
        return
    path = os.path.join(media_dir, "soak-pipe.png")
    if not os.path.exists(path):
        os.mkfifo(path)
    refused(report, "3 FIFO in --media-dir via /generate", client.request(
        "POST", "/generate", tgi("![](soak-pipe.png)What is it?"), label="fifo"), {422},
            must_say="not a regular file")
    refused(report, "3 FIFO in --media-dir via /v1/chat/completions", client.request(
        "POST", "/v1/chat/completions", image_chat("soak-pipe.png"), label="fifo"), {400},
            must_say="not a regular file")


def big_images(report, client, count):
    start = time.monotonic()
    url = data_url(solid_png(9400, 9400))
    made = time.monotonic() - start
    rs = in_parallel(count, lambda _: client.request("POST", "/v1/chat/completions", image_chat(url),
                                                     timeout=240.0, label="9400x9400 png"))
    answered = [r for r in rs if r.status is not None]
    good = [r for r in answered if r.status == 200 or (r.status in (413, 429) and r.json() is not None)]
    statuses = {}
    for r in rs:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    slowest = max(r.seconds for r in rs)
    report.check(f"4 {count} x 9400x9400 PNG ({len(url) // 1024} KiB data URL) at once", len(good) == count,
                 f"statuses {statuses} (200, or 413/429 with JSON, wanted for all), slowest {slowest:.1f} s; "
                 f"made in {made:.1f} s" + "".join(f"; {r.describe()}" for r in rs if r.status != 200)[:700])


def big_data_url(report, client):
    target = int(15.5e6)
    png = solid_png(8, 8)
    padded = png + bytes(target * 3 // 4 - len(png))
    url = data_url(padded)
    r = client.request("POST", "/v1/chat/completions", image_chat(url), timeout=120.0, label="15.5 MB data url")
    ok = (r.status is not None and r.status < 500 and r.json() is not None
          and "StreamReadConstraints" not in r.message() and "String value length" not in r.message())
    report.check(f"5 {len(url) / 1e6:.1f} MB data URL (under the 16 MiB image cap)", ok,
                 r.describe() + ("" if ok else " (want an answer from the server's own rules, not Jackson's)"))


def huge_integers(report, client):
    big = 2 ** 64 + 1
    refused(report, "8 max_tokens 2^64+1 (chat)", client.request(
        "POST", "/v1/chat/completions", chat("Hi", max_tokens=big), label="int"), {400}, must_say="max_tokens")
    refused(report, "8 n 2^64+2 (chat)", client.request(
        "POST", "/v1/chat/completions", chat("Hi", n=big + 1), label="int"), {400}, must_say="n ")
    refused(report, "8 max_tokens 2^64+1 (completions)", client.request(
        "POST", "/v1/completions", {"model": "tiny", "prompt": "Hi", "max_tokens": big}, label="int"), {400},
            must_say="max_tokens")
    refused(report, "8 max_new_tokens 2^64+1 (/generate)", client.request(
        "POST", "/generate", tgi("Hi", max_new_tokens=big), label="int"), {422}, must_say="max_new_tokens")


def http_layer(report, client):
    host = f"Host: {client.host}:{client.port}\r\n".encode()
    cases = [
        ("9 header over 8 KiB", b"GET /health HTTP/1.1\r\n" + host + b"X-Big: " + b"a" * 20_000 + b"\r\n\r\n", {431}),
        ("9 URI over 8 KiB", b"GET /health?q=" + b"a" * 20_000 + b" HTTP/1.1\r\n" + host + b"\r\n", {414}),
        ("9 Content-Length 'abc'", b"POST /generate HTTP/1.1\r\n" + host
         + b"Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}", {400}),
        ("9 Content-Length -5", b"POST /v1/chat/completions HTTP/1.1\r\n" + host
         + b"Content-Type: application/json\r\nContent-Length: -5\r\n\r\n{}", {400}),
        ("9 HTTP/1.1 without Host", b"GET /v1/models HTTP/1.1\r\n\r\n", {400}),
        ("9 request line not HTTP", b"HELLO\r\n\r\n", {400}),
        ("9 GET /generate (wrong method)", b"GET /generate HTTP/1.1\r\n" + host + b"Connection: close\r\n\r\n", {405}),
        ("9 PUT /v1/chat/completions", b"PUT /v1/chat/completions HTTP/1.1\r\n" + host
         + b"Content-Length: 0\r\nConnection: close\r\n\r\n", {405}),
    ]
    for name, data, statuses in cases:
        refused(report, name, client.raw(data, label=name), statuses)


def translated_ipv6(report, client):
    url = "http://[::ffff:0:7f00:1]/cat.png"
    refused(report, "11 IPv4-translated IPv6 URL (/generate)", client.request(
        "POST", "/generate", tgi(f"![]({url})Describe it."), label="ipv6"), {422}, must_say="127.0.0.1")
    refused(report, "11 IPv4-translated IPv6 URL (chat)", client.request(
        "POST", "/v1/chat/completions", image_chat(url), label="ipv6"), {400}, must_say="127.0.0.1")


def disconnects(report, client, count):
    """Streams cut after their first tokens; the server must count them cancelled and stop their work."""
    body = json.dumps(tgi("User: tell a long story<end_of_utterance>\nAssistant:", max_new_tokens=1000,
                          min_new_tokens=1000)).encode()
    request = (f"POST /generate_stream HTTP/1.1\r\nHost: {client.host}:{client.port}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    cut = [0]
    problems = []
    lock = threading.Lock()

    def one(_):
        try:
            with socket.create_connection((client.host, client.port), timeout=60) as s:
                s.sendall(request)
                seen = b""
                while seen.count(b"data:") < 2:
                    b = s.recv(4096)
                    if not b:
                        break
                    seen += b
                status = seen[9:12]
                with lock:
                    if status == b"200" and seen.count(b"data:") >= 2:
                        cut[0] += 1
                    else:
                        problems.append(seen[:160])
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError as e:
            with lock:
                problems.append(repr(e).encode())

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(count)))
    report.check(f"disconnects: {count} streams cut after 2 events", cut[0] == count and not problems,
                 f"{cut[0]} cut in {time.monotonic() - start:.1f} s"
                 + (f"; other answers: {problems[:2]!r}" if problems else ""))
    return cut[0]


# The run ----------------------------------------------------------------------------------------------------------

def start_server(args, media_dir, log_path, gc_log):
    cp = args.classpath or "idefics4j-cli/target/idefics4j-cli-0.1.0-SNAPSHOT.jar:idefics4j-cli/target/lib/*"
    cmd = [args.java, f"-Xmx{args.xmx}m", f"-Xlog:gc:file={gc_log}:uptime", *args.jvm_arg,
           "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-cp", cp, "dev.idefics4j.cli.Main", "serve", "--port", "0",
           "--media-dir", media_dir, "--allow", f"{SLOW_HOST}/32", "--fetch-deadline", f"{args.fetch_deadline:g}"]
    print("starting: " + " ".join(cmd), flush=True)
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        with open(log_path) as f:
            m = re.search(r"serving \S+ on (http://\S+)", f.read())
        if m:
            return proc, m.group(1)
        time.sleep(0.2)
    with open(log_path) as f:
        sys.stderr.write(f.read()[-3000:])
    proc.kill()
    raise SystemExit("soak-server: the server did not start (its log is above)")


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main():
    args = parse_args()
    report = Report()
    work = tempfile.mkdtemp(prefix="idefics4j-soak-")
    proc = None
    media_dir = args.media_dir
    if args.url:
        base, pid = args.url.rstrip("/"), args.pid
    else:
        media_dir = os.path.join(work, "media")
        os.mkdir(media_dir)
        proc, base = start_server(args, media_dir, os.path.join(work, "server.log"), os.path.join(work, "gc.log"))
        pid = proc.pid
    client = Client(base)
    if client.request("GET", "/health", timeout=10, record=False).status != 200:
        raise SystemExit(f"soak-server: {base}/health does not answer 200")
    began = time.monotonic()
    print(f"soak against {base} (pid {pid or 'unknown'})", flush=True)
    before, _, _ = metrics(client)
    health = HealthPoller(client)
    health.start()
    rss = RssSampler(pid) if pid else None
    if rss:
        rss.start()
    try:
        host = SlowHeaderHost()
        host.start()
    except OSError as e:
        host = None
        report.skip("2 slow-header image host", f"cannot listen on {SLOW_HOST}: {e}")
    finish_slow = slow_host_start(report, client, host, args.fetch_deadline) if host else None
    try:
        for attack in (regex_bomb, whitespace, huge_integers, http_layer, translated_ipv6, big_data_url):
            PHASE[0] = attack.__name__
            attack(report, client)
        PHASE[0] = "fifo"
        fifo(report, client, media_dir)
        PHASE[0] = "disconnects"
        cut = disconnects(report, client, args.disconnects)
        # The slow fetches are answered before the big images start, so that a late answer is the fetch's own.
        PHASE[0] = "slow_host"
        if finish_slow:
            finish_slow()
        PHASE[0] = "big_images"
        big_images(report, client, args.big_images)
        PHASE[0] = "drain"
        # After the cut streams, the batch and the queue must empty: their work stopped.
        drained_at, gauges = None, {}
        for _ in range(150):
            _, gauges, _ = metrics(client)
            if gauges.get("idefics4j_queue_size") == 0 and gauges.get("idefics4j_batch_size") == 0:
                drained_at = time.monotonic()
                break
            time.sleep(0.2)
        report.check("gauges back to 0 (queue, batch)", drained_at is not None, f"{gauges}")
        ok = client.request("POST", "/generate", tgi("User: hi<end_of_utterance>\nAssistant:"), label="final")
        report.check("a plain request still succeeds", ok.status == 200, ok.describe())
    finally:
        health.stop.set()
        if rss:
            rss.stop.set()
        if host:
            host.close()
    health.join(15)
    after, _, metrics_ok = metrics(client)

    lat = sorted(health.latencies)
    p99 = lat[int(0.99 * (len(lat) - 1))] if lat else 0
    report.check("health: every poll 200 within 1 s", not health.failures and len(lat) > 0,
                 f"{len(lat)} polls, p99 {p99 * 1000:.0f} ms, max {lat[-1] * 1000 if lat else 0:.0f} ms, "
                 f"{len(health.failures)} late or failed" + (f", first: {health.failures[:3]}" if health.failures
                                                             else ""))
    if rss and rss.samples:
        if args.rss_bound_mib:
            report.check(f"rss: VmHWM <= {args.rss_bound_mib} MiB", rss.hwm <= args.rss_bound_mib,
                         f"VmHWM {rss.hwm} MiB, largest VmRSS sample {rss.max_rss} MiB ({rss.samples} samples"
                         + (f", -Xmx{args.xmx}m + 512 MiB" if not args.url else "") + ")")
        else:
            report.skip("rss", f"VmHWM {rss.hwm} MiB; no --rss-bound-mib given")
    else:
        report.skip("rss", "no server pid (give --pid with --url)")
    not_json = [(label, status, ctype) for label, status, is_json, ctype in client.refusals if not is_json]
    report.check("json: every refusal has a JSON body", not not_json,
                 f"{len(client.refusals)} refusals, {len(not_json)} without JSON" + (f": {not_json[:4]}"
                                                                                     if not_json else ""))
    report.check("no-hang: every request answered", not client.unanswered,
                 f"{len(client.unanswered)} unanswered" + (f": {client.unanswered[:3]}" if client.unanswered else ""))
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in set(after) | set(before)}
    counted = sum(v for (route, outcome), v in delta.items() if outcome not in ("success", "cancelled"))
    cancelled = sum(v for (route, outcome), v in delta.items() if outcome == "cancelled")
    by_outcome = {}
    for (route, outcome), v in delta.items():
        if outcome != "success" and v:
            by_outcome[f"{route}/{outcome}"] = int(v)
    report.check("metrics: refusals counted", metrics_ok and counted == len(client.refusals),
                 f"{int(counted)} counted, {len(client.refusals)} refused to the client; {by_outcome}")
    report.check("metrics: cut streams counted cancelled", cancelled >= cut,
                 f"{int(cancelled)} cancelled for {cut} cut streams")
    print(f"\nsoak took {time.monotonic() - began:.0f} s; its files (server and GC logs) are in {work}")
    if proc:
        stop_server(proc)
        log = os.path.join(work, "server.log")
        with open(log) as f:
            text = f.read()
        severe = re.findall(r"(?m)^SEVERE: (.*)$", text)
        # An OutOfMemoryError the server caught and answered (429) is logged as "ran out of memory"; others are not.
        unexpected = [line for line in severe if not line.endswith("ran out of memory")]
        report.check("server log: no SEVERE line but answered out-of-memory", not unexpected,
                     f"{len(severe)} SEVERE, {len(severe) - len(unexpected)} of them answered out-of-memory"
                     + (f"; first other: {unexpected[0][:200]}" if unexpected else "") + f"; log {log}")
        pauses = []
        with open(os.path.join(work, "gc.log")) as f:
            for line in f:
                m = re.search(r"\[([\d.]+)s\].*(Pause [^(]*\([^)]*\)(?: \([^)]*\))?).* ([\d.]+)ms$", line)
                if m:
                    pauses.append((float(m.group(3)), m.group(2).strip(), m.group(1)))
        pauses.sort(reverse=True)
        print("longest GC pauses (ms, kind, server uptime s): "
              + "; ".join(f"{p[0]:.0f} {p[1]} at {p[2]}" for p in pauses[:5]))
    failed = report.table()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
