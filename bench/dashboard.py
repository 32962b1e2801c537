"""Benchmark: the served dashboard under concurrent sessions, and the first page in a browser.

    python -m bench.dashboard [--scale default|reference] [--demo DIR] [--sessions 20]
                              [--seconds 60] [--think 0.5]

Serves a copy of the demo warehouse with `councilops serve` (built here, or the one given,
made by `councilops demo --now 2026-11-22T10:00:00Z`), warms it once (what the served process
does after a collection), then `--sessions` signed-in sessions drive page callbacks
concurrently over HTTP for `--seconds`, each waiting `--think` seconds between callbacks (a
person reading). Each callback's time on the server is read from its Server-Timing header.
Meanwhile Debian's Chromium signs in and loads pages afresh, timing the first contentful paint
and the moment the page's own content (its h1) is drawn.

The baseline, measured in the same run and under the same load, is the app's cheapest callback
(a path that is no page): Dash's, the gate's and the session's own cost per callback. Goals
(issue 13): every callback's p95 under 200 ms on the server; the first page painted within
1.5 s. Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import httpx

from collectors.demo import DemoPaths, build_demo
from dashboard.page_cache import page_callback_body

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "benchmark password 2026"
SERVING = re.compile(r"Serving the dashboard at http://127\.0\.0\.1:(\d+)")


# the cheapest page callback: a path that is no page (Dash's own "not found" layout): the gate,
# the session and Dash's dispatch, and nothing of councilops's figures
BASELINE = ("baseline (no such page)", ("/no-such-page", ""))


def councilops(config: Path, db: Path, *arguments: str) -> list[str]:
    return [sys.executable, "-m", "councilops.cli", "--config", str(config), "--db", str(db), *arguments]


def signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120)
    client.get("/signin")
    answer = client.post(
        "/signin", data={"username": "bench", "password": PASSWORD, "csrf": client.cookies["_csrf_token"]}
    )
    assert answer.status_code == 302, answer.text[:300]
    return client


def server_ms(answer: httpx.Response) -> float:
    found = re.search(r"dur=([\d.]+)", answer.headers.get("server-timing", ""))
    return float(found[1]) if found else float("nan")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]  # nearest rank


def browser_first_pages(
    base: str, pages: list[tuple[str, str]], rounds: int
) -> list[tuple[str, float, float]]:
    from playwright.sync_api import sync_playwright

    found = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        for k in range(rounds):
            path, search = pages[k % len(pages)]
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.goto(f"{base}/signin")
            page.fill("#username", "bench")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            began = time.perf_counter()
            page.goto(base + path + search)  # a fresh load: every script parsed again
            page.wait_for_selector("main h1")
            content = time.perf_counter() - began
            paint = page.evaluate(
                "performance.getEntriesByName('first-contentful-paint')[0]?.startTime"
            ) or float("nan")
            found.append((path + search, paint / 1000, content))
            context.close()
        browser.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["default", "reference"], default="default")
    parser.add_argument("--demo", type=Path, help="a demo folder built with --now 2026-11-22T10:00:00Z")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--think", type=float, default=0.5, help="seconds each session waits between callbacks"
    )
    parser.add_argument("--browser-rounds", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if args.demo:
            shutil.copy(args.demo / "estate.toml", work / "estate.toml")
            shutil.copy(args.demo / "warehouse.duckdb", work / "warehouse.duckdb")
        else:
            build_demo(work / "demo", scale=args.scale, seed=2026, now=NOW)
            paths = DemoPaths(work / "demo")
            shutil.move(paths.estate, work / "estate.toml")
            shutil.move(paths.warehouse, work / "warehouse.duckdb")
        config, db = work / "estate.toml", work / "warehouse.duckdb"
        subprocess.run(
            councilops(config, db, "users", "add", "bench", "--role", "administrator", "--password-stdin"),
            input=PASSWORD + "\n",
            text=True,
            check=True,
            capture_output=True,
        )
        from estate import load_estate

        estate = load_estate(config)
        councils = [c.id for c in estate.councils]
        services = [s.id for s in estate.services]
        log = (work / "serve.log").open("w")
        process = subprocess.Popen(
            councilops(config, db, "serve", "--port", "0", "--collect-every", "0"),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        try:
            deadline = time.monotonic() + 120
            while not (found := SERVING.search((work / "serve.log").read_text())):
                assert time.monotonic() < deadline and process.poll() is None, (
                    work / "serve.log"
                ).read_text()
                time.sleep(0.2)
            base = f"http://127.0.0.1:{found[1]}"
            pages = [("/", "")]
            pages += [("/council", f"?council={c}") for c in councils]
            pages += [("/council", f"?council={c}&month=2026-10") for c in councils[:3]]
            pages += [("/service", f"?service={s}") for s in services[:: max(1, len(services) // 6)]]
            pages += [
                ("/capacity", ""),
                ("/under-used", ""),
                ("/backups", ""),
                ("/savings", ""),
                ("/coverage", ""),
            ]
            warm = signed_in(base)
            began = time.perf_counter()
            for path, search in pages:
                assert (
                    warm.post(
                        "/_dash-update-component",
                        json=page_callback_body(path, search),
                        headers={"X-CSRFToken": warm.cookies["_csrf_token"]},
                    ).status_code
                    == 200
                )
            warm_seconds = time.perf_counter() - began
            clients = [signed_in(base) for _ in range(args.sessions)]
            times: dict[str, list[float]] = defaultdict(list)
            failures: list[str] = []
            lock = threading.Lock()
            until = time.monotonic() + args.seconds

            def session(client: httpx.Client, seed: int) -> None:
                chooser = random.Random(seed)
                while time.monotonic() < until:
                    roll = chooser.random()
                    if roll < 0.2:
                        name, body = BASELINE[0], page_callback_body(*BASELINE[1])
                    elif roll < 0.4:
                        # a page not laid out yet in this state of the warehouse (as after a
                        # collection, once its answers are worked out again): a parameter the
                        # page ignores makes it another key, so the layout is built afresh
                        path, search = chooser.choice(pages)
                        fresh = f"{'&' if search else '?'}fresh={chooser.randrange(10**9)}"
                        name, body = f"{path} (laid out afresh)", page_callback_body(path, search + fresh)
                    else:
                        path, search = chooser.choice(pages)
                        name, body = path, page_callback_body(path, search)
                    answer = client.post(
                        "/_dash-update-component",
                        json=body,
                        headers={"X-CSRFToken": client.cookies["_csrf_token"]},
                    )
                    with lock:
                        if answer.status_code not in (200, 204):
                            failures.append(f"{name}: {answer.status_code}")
                        times[name].append(server_ms(answer))
                    time.sleep(args.think * chooser.uniform(0.5, 1.5))

            threads = [threading.Thread(target=session, args=(c, k)) for k, c in enumerate(clients)]
            for thread in threads:
                thread.start()
            first_pages = browser_first_pages(
                base,
                [("/", ""), ("/council", f"?council={councils[0]}"), ("/capacity", "")],
                args.browser_rounds,
            )
            for thread in threads:
                thread.join()
        finally:
            process.terminate()
            process.wait(timeout=120)
    baseline = p95(times[BASELINE[0]])
    total = sum(len(v) for v in times.values())
    print(
        f"{args.scale if not args.demo else args.demo}: {args.sessions} sessions for {args.seconds:.0f} s, think {args.think} s: {total:,} callbacks ({total / args.seconds:.1f}/s), {len(failures)} failed; warming every page once took {warm_seconds:.1f} s"
    )
    print(f"{'callback':<44} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p95/baseline':>13}")
    for name in sorted(times, key=lambda n: (n != BASELINE[0], n)):
        values = times[name]
        print(
            f"{name:<34} {len(values):>6} {statistics.median(values):>8.1f} {p95(values):>8.1f} {max(values):>8.1f} {p95(values) / baseline:>12.1f}x"
        )
    every = [v for name, values in times.items() if name != BASELINE[0] for v in values]
    print(
        f"{'every page callback':<34} {len(every):>6} {statistics.median(every):>8.1f} {p95(every):>8.1f} {max(every):>8.1f} {p95(every) / baseline:>12.1f}x   (goal: p95 < 200 ms)"
    )
    print("first page in Chromium, a fresh load under that load (goal: painted within 1.5 s):")
    for page, paint, content in first_pages:
        print(f"  {page:<40} first contentful paint {paint:.2f} s, its content drawn {content:.2f} s")
    if failures:
        print("failures:", failures[:10])


if __name__ == "__main__":
    main()
