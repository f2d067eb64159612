"""query.processes: unbounded waits for a child process and dropped error streams."""

from __future__ import annotations

from tests.conftest import graph_of

from agentable.query.processes import dropped_error_streams, unbounded_process_waits


def _waits(src: str, name: str = "tool") -> list[int]:
    g = graph_of({"agent.py": src})
    return [pc.site.call.pos[0] for pc in unbounded_process_waits(g, g.functions[f"agent.{name}"])]


def _dropped(src: str, name: str = "tool") -> list[int]:
    g = graph_of({"agent.py": src})
    return [d.at.pos[0] for d in dropped_error_streams(g, g.functions[f"agent.{name}"])]


def test_timeout_none_or_missing_is_unbounded_and_positional_timeout_bounds():
    src = """
    import subprocess
    def tool(cmd):
        subprocess.run(cmd, shell=True, timeout=None)
        p = subprocess.Popen(cmd, shell=True)
        p.communicate(None, 30)
        q = subprocess.Popen(cmd, shell=True)
        q.wait(10)
        r = subprocess.Popen(cmd, shell=True)
        r.wait()
    """
    assert _waits(src) == [4, 10]


def test_wait_after_kill_or_after_a_bounded_wait_is_not_reported():
    src = """
    import subprocess
    def tool(cmd):
        p = subprocess.Popen(cmd, shell=True)
        try:
            return p.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            return p.communicate()
    """
    assert _waits(src) == []


def test_limiter_around_a_helper_call_bounds_the_helper_wait():
    src = """
    import asyncio
    async def _run(cmd):
        proc = await asyncio.create_subprocess_shell(cmd)
        return await proc.communicate()
    async def tool(cmd):
        return await asyncio.wait_for(_run(cmd), timeout=9)
    async def other(cmd):
        return await _run(cmd)
    """
    assert _waits(src) == []
    assert _waits(src, "other") == [5]


def test_kwargs_splat_is_not_judged():
    src = """
    import subprocess
    def tool(cmd, **kw):
        return subprocess.run(cmd, **kw)
    """
    assert _waits(src) == []


def test_dropped_errors_forms():
    src = """
    import subprocess
    from subprocess import PIPE
    def tool(cmd):
        p = subprocess.Popen(cmd, stdout=PIPE, stderr=PIPE)
        return p.communicate(timeout=3)[0]
    def read_both(cmd):
        p = subprocess.Popen(cmd, stdout=PIPE, stderr=PIPE)
        out, err = p.communicate(timeout=3)
        return out + err
    def status_read(cmd):
        r = subprocess.run(cmd, capture_output=True, timeout=3)
        return r.stdout if r.returncode == 0 else "failed"
    def handed_on(cmd):
        r = subprocess.run(cmd, capture_output=True, timeout=3)
        return format_result(r)
    def no_capture(cmd):
        r = subprocess.run(cmd, stdout=PIPE, timeout=3)
        return r.stdout
    """
    assert _dropped(src) == [6]
    for name in ("read_both", "status_read", "handed_on", "no_capture"):
        assert _dropped(src, name) == [], name
