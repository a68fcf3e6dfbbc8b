"""Turn the measurements into the printed tables, the pass/fail verdicts, JSON and a chart."""

from __future__ import annotations

import json
from dataclasses import asdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.stats import Summary
from benchmarks.targets import BEARER_VS_COOKIE
from benchmarks.targets import MAIN_TARGETS
from benchmarks.targets import PINNED_TARGETS

QueryCounts = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Verdict:
    """One target of the issue: what was measured against what was asked."""

    name: str
    measured: str
    goal: str
    passed: bool
    stretch: bool = False


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def _count(counts: QueryCounts, key: str, field: str) -> str:
    return str(counts[key][field]) if key in counts else "—"


def main_table(summaries: dict[str, Summary], counts: QueryCounts) -> str:
    """Return the main pass as a Markdown table, ratios to the plain Django view (db)."""
    floor = summaries["plain-db"].rps_median
    lines = [
        "| target | req/s (median) | min–max | p50 ms | p99 ms | server CPU µs/req | Redis CPU µs/req | SQL/req | Redis cmds/req | other load (cores) | × plain (db) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for target in MAIN_TARGETS:
        s = summaries[target.key]
        lines.append(
            f"| {target.label} | {s.rps_median:,.0f} | {s.rps_min:,.0f}–{s.rps_max:,.0f} "
            f"| {s.p50_ms:.2f} | {s.p99_ms:.2f} | {s.server_cpu_us:,.0f} | {s.redis_cpu_us:,.0f} "
            f"| {_count(counts, target.key, 'sql')} | {_count(counts, target.key, 'redis')} "
            f"| {s.other_cpu:.2f} | {_ratio(s.rps_median, floor):.2f}× |"
        )
    return "\n".join(lines)


def pinned_table(summaries: dict[str, Summary]) -> str:
    """Return the pinned pass as a Markdown table, CPU ratios to Auth.js."""
    authjs = summaries["authjs"].server_cpu_us
    lines = [
        "| target (server on CPU 0, wrk on CPU 1) | req/s (median) | min–max | server CPU µs/req | Redis CPU µs/req | other load (cores) | CPU × Auth.js |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for target in PINNED_TARGETS:
        s = summaries[target.key]
        lines.append(
            f"| {target.label} | {s.rps_median:,.0f} | {s.rps_min:,.0f}–{s.rps_max:,.0f} "
            f"| {s.server_cpu_us:,.0f} | {s.redis_cpu_us:,.0f} | {s.other_cpu:.2f} "
            f"| {_ratio(s.server_cpu_us, authjs):.2f}× |"
        )
    return "\n".join(lines)


def instructions_table(instructions: dict[str, float]) -> str:
    """Return callgrind's instructions per request as a Markdown table."""
    labels = {target.key: target.label for target in MAIN_TARGETS}
    floor = instructions.get("plain-db")
    lines = [
        "| request (in-process, Django's WSGI handler) | instructions/request | × plain (db) |",
        "|---|--:|--:|",
    ]
    for key, value in instructions.items():
        ratio = f"{_ratio(value, floor):.3f}×" if floor else "—"
        lines.append(f"| {labels[key]} | {value:,.0f} | {ratio} |")
    return "\n".join(lines)


def bearer_vs_cookie(
    main: dict[str, Summary], instructions: dict[str, float]
) -> dict[str, dict[str, Any]]:
    """Return each Bearer target against the cookie read on its server: the figures and their ratios."""
    comparison: dict[str, dict[str, Any]] = {}
    for bearer, cookie in BEARER_VS_COOKIE.items():
        token, session = main[bearer], main[cookie]
        comparison[bearer] = {
            "cookie": cookie,
            "rps": [token.rps_median, session.rps_median],
            "rps_ratio": _ratio(token.rps_median, session.rps_median),
            "server_cpu_us": [token.server_cpu_us, session.server_cpu_us],
            "server_cpu_ratio": _ratio(token.server_cpu_us, session.server_cpu_us),
            "instructions": [instructions.get(bearer), instructions.get(cookie)],
            "instructions_ratio": _ratio(
                instructions.get(bearer, 0.0), instructions.get(cookie, 0.0)
            ),
        }
    return comparison


def bearer_table(comparison: dict[str, dict[str, Any]]) -> str:
    """Return the Bearer reads against the cookie session reads as a Markdown table (Bearer ÷ cookie)."""
    labels = {target.key: target.label for target in MAIN_TARGETS}
    lines = [
        "| Bearer GET of an @auth_required view vs cookie GET /api/auth/session, same server | req/s Bearer / cookie | × | server CPU µs/req Bearer / cookie | × | instructions/req Bearer / cookie | × |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for key, row in comparison.items():
        store = labels[key].partition(", ")[2]
        rps, cpu, count = row["rps"], row["server_cpu_us"], row["instructions"]
        counted = f"{count[0]:,.0f} / {count[1]:,.0f}" if None not in count else "— / —"
        lines.append(
            f"| {store} | {rps[0]:,.0f} / {rps[1]:,.0f} | {row['rps_ratio']:.2f}× "
            f"| {cpu[0]:,.0f} / {cpu[1]:,.0f} | {row['server_cpu_ratio']:.2f}× "
            f"| {counted} | {row['instructions_ratio']:.3f}× |"
        )
    return "\n".join(lines)


def verdicts(
    main: dict[str, Summary],
    counts: QueryCounts,
    pinned: dict[str, Summary],
    instructions: dict[str, float],
) -> list[Verdict]:
    """Return the issue's targets and token mode's SQL-free read, each passed or failed by the measurements."""
    floor = main["plain-db"].rps_median
    db = _ratio(main["useauth-db"].rps_median, floor)
    allauth = main["allauth-db"].rps_median
    with_mw, without_mw = instructions["untouched-mw"], instructions["untouched-no-mw"]
    cost = _ratio(with_mw, without_mw) - 1
    wrk_change = (
        _ratio(main["untouched-mw"].rps_median, main["untouched-no-mw"].rps_median) - 1
    )
    cpu_cost = (
        _ratio(
            main["untouched-mw"].server_cpu_us, main["untouched-no-mw"].server_cpu_us
        )
        - 1
    )
    results = [
        Verdict(
            "session endpoint, db store, vs plain Django view (db)",
            f"{db:.2f}×",
            "≥ 0.90×",
            db >= 0.9,
        ),
        Verdict(
            "session endpoint (db store) vs allauth headless (db store)",
            f"{_ratio(main['useauth-db'].rps_median, allauth):.2f}× (the plain Django "
            f"view: {_ratio(floor, allauth):.2f}×)",
            "≥ 2.00×",
            _ratio(main["useauth-db"].rps_median, allauth) >= 2,
        ),
    ]
    for key, client in (
        ("useauth-redis-dr", "django-redis"),
        ("useauth-redis", "Django's RedisCache"),
    ):
        redis = _ratio(main[key].rps_median, floor)
        sql = counts.get(key, {}).get("sql")
        cpu = _ratio(pinned[key].server_cpu_us, pinned["authjs"].server_cpu_us)
        results += [
            Verdict(
                f"session endpoint, Redis store ({client}): SQL queries per read",
                str(sql),
                "0",
                sql == 0,
            ),
            Verdict(
                f"session endpoint, Redis store ({client}), vs plain Django view (db)",
                f"{redis:.2f}×",
                "≥ 1.30×",
                redis >= 1.3,
            ),
            Verdict(
                f"session endpoint, Redis store ({client}), vs allauth headless (db store)",
                f"{_ratio(main[key].rps_median, allauth):.2f}×",
                "≥ 2.00×",
                _ratio(main[key].rps_median, allauth) >= 2,
            ),
            Verdict(
                f"CPU per request on one core, useauth (Redis store, {client}) vs Auth.js v5",
                f"{cpu:.2f}× ({pinned[key].server_cpu_us:,.0f} vs "
                f"{pinned['authjs'].server_cpu_us:,.0f} µs)",
                "≤ 1.00×",
                cpu <= 1,
                stretch=True,
            ),
        ]
    results.append(
        Verdict(
            "AuthMiddleware's cost on a view that does not read request.auth",
            f"{cost:+.2%} instructions (callgrind); wrk: {wrk_change:+.1%} req/s, {cpu_cost:+.1%} CPU/req",
            "≤ 2%",
            cost <= 0.02,
        )
    )
    labels = {target.key: target.label for target in MAIN_TARGETS}
    for key in BEARER_VS_COOKIE:
        sql = counts.get(key, {}).get("sql")
        results.append(
            Verdict(
                f"token mode: {labels[key]}: SQL queries per read",
                str(sql),
                "0",
                sql == 0,
            )
        )
    return results


def verdict_lines(results: list[Verdict]) -> str:
    """Return one ``PASS``/``FAIL`` line per verdict."""
    lines = []
    for verdict in results:
        word = "PASS" if verdict.passed else "FAIL"
        stretch = " (stretch goal)" if verdict.stretch else ""
        lines.append(
            f"{word}  {verdict.name}: {verdict.measured} (target {verdict.goal}){stretch}"
        )
    return "\n".join(lines)


def write_json(
    path: Path, results: dict[str, Any], verdict_list: list[Verdict]
) -> None:
    """Write ``results`` and the verdicts to ``path`` as indented JSON."""
    document = {**results, "verdicts": [asdict(verdict) for verdict in verdict_list]}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _colour(key: str) -> str:
    # django-useauth's reads in blue (token mode's a lighter one), the others grey.
    if key.startswith("bearer"):
        return "#63b3ed"
    return "#2b6cb0" if key.startswith("useauth") else "#a0aec0"


def write_chart(
    path: Path, main: dict[str, Summary], pinned: dict[str, Summary], subtitle: str
) -> None:
    """Draw median req/s (with min–max) of the main pass and CPU per request of both passes."""
    import matplotlib  # type: ignore[import-not-found, unused-ignore]

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # type: ignore[import-not-found, unused-ignore]

    labels = [target.label for target in MAIN_TARGETS]
    floor = main["plain-db"].rps_median
    medians = [main[t.key].rps_median for t in MAIN_TARGETS]
    low = [main[t.key].rps_median - main[t.key].rps_min for t in MAIN_TARGETS]
    high = [main[t.key].rps_max - main[t.key].rps_median for t in MAIN_TARGETS]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(10, 9), height_ratios=(3, 2))
    positions = range(len(labels))
    colours = [_colour(t.key) for t in MAIN_TARGETS]
    top.barh(positions, medians, xerr=[low, high], color=colours, capsize=3)
    for position, target in zip(positions, MAIN_TARGETS, strict=True):
        summary = main[target.key]
        top.text(
            summary.rps_max * 1.01,  # past the min–max bar
            position,
            f" {summary.rps_median / floor:.2f}×",
            va="center",
            fontsize=9,
        )
    top.set_yticks(list(positions), labels, fontsize=9)
    top.invert_yaxis()
    top.set_xlabel(
        "req/s, median of the rounds (bars: min–max); × the plain Django view (db)"
    )
    top.set_title(
        f"Signed-in reads, wrk 16 connections, 2 cores shared with wrk\n{subtitle}",
        fontsize=10,
    )
    top.set_xlim(0, max(main[t.key].rps_max for t in MAIN_TARGETS) * 1.15)

    pinned_labels = [target.label for target in PINNED_TARGETS]
    pinned_cpu = [pinned[t.key].server_cpu_us for t in PINNED_TARGETS]
    pinned_positions = range(len(pinned_labels))
    bottom.barh(
        pinned_positions,
        pinned_cpu,
        color=[_colour(t.key) for t in PINNED_TARGETS],
    )
    for position, value in zip(pinned_positions, pinned_cpu, strict=True):
        bottom.text(
            value * 1.01, position, f" {value:,.0f} µs", va="center", fontsize=9
        )
    bottom.set_yticks(list(pinned_positions), pinned_labels, fontsize=9)
    bottom.invert_yaxis()
    bottom.set_xlim(0, max(pinned_cpu) * 1.2)
    bottom.set_xlabel(
        "server CPU µs per request, server pinned to one core (1 worker), wrk on the other"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
