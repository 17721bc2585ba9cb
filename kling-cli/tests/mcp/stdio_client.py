"""`kling mcp` over stdio, driven by the official MCP Python SDK (the `mcp` package).

Run by kling-cli's tests/mcp.rs with KLING (the binary), the server's environment (the mock's
URL and keys) and WORK (a folder of its own). Prints one line per check; exits non-zero on
the first that fails.
"""

import asyncio
import json
import os

import anyio

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from checks import check, text

KLING = os.environ["KLING"]
WORK = os.environ["WORK"]
STORE = os.path.join(WORK, "mcp.db")
DOWNLOADS = os.path.join(WORK, "downloads")


def server(budget: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=KLING,
        args=["mcp", "--store", STORE, "--downloads", DOWNLOADS, "--budget", budget],
        env=dict(os.environ),
    )


async def main() -> None:
    video = json.loads(os.environ["VIDEO"])
    async with stdio_client(server(os.environ["BUDGET"])) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            tools = {t.name for t in (await session.list_tools()).tools}
            check({"create_video", "wait_task", "download_results", "list_jobs"} <= tools,
                  "the tools are listed", tools)

            bad = await session.call_tool("create_video", {"family": "nope", "request": video})
            check(bad.is_error and "family" in text(bad), "an unknown family is a tool error naming it", text(bad))
            bad = await session.call_tool("create_video", {"family": "text2video",
                                                           "request": dict(video, duration="7")})
            check(bad.is_error and "request.duration" in text(bad), "a bad field is a tool error naming it", text(bad))

            made = await session.call_tool("create_video", {"family": "text2video", "request": video})
            check(not made.is_error, "a video is created", text(made))
            job = json.loads(text(made))
            check(job["estimate"] is not None and job["budget_left"] is not None,
                  "the create says its estimate and what is left", job)
            again = await session.call_tool("create_video", {"family": "text2video", "request": video})
            check(not again.is_error and json.loads(text(again))["external_task_id"] == job["external_task_id"]
                  and "not charged" in text(again), "a retried create finds the same job", text(again))

            over = await session.call_tool("create_video", {"family": "text2video",
                                                            "request": dict(video, prompt="a fox, again")})
            check(over.is_error and "over budget" in text(over), "an over-budget create is refused", text(over))

            seen = []

            async def progress(progress, total, message):
                seen.append((progress, message))

            done = await session.call_tool("wait_task", {"external_task_id": job["external_task_id"]},
                                           progress_callback=progress)
            check(not done.is_error and json.loads(text(done))["state"] == "done", "the wait ends done", text(done))
            check(len(seen) >= 1, "progress notifications came while waiting", seen)

            got = await session.call_tool("download_results", {"external_task_id": job["external_task_id"]})
            check(not got.is_error, "the results are downloaded", text(got))
            files = json.loads(text(got))["files"]
            check(files and all(os.path.isfile(f["path"]) and os.path.realpath(f["path"]).startswith(
                os.path.realpath(DOWNLOADS)) for f in files), "the files are in the download folder", files)

            schema = await session.call_tool("request_schema", {"family": "text2video"})
            props = json.loads(text(schema)).get("properties", {})
            check(not schema.is_error and "prompt" in props and props["prompt"].get("description"),
                  "request_schema gives the request's fields with their docs", list(props))
            schema = await session.call_tool("request_schema", {"family": "omni-video", "api": "standard"})
            check(not schema.is_error and "prompt" in json.loads(text(schema)).get("properties", {}),
                  "request_schema reads the new standard's kinds", text(schema)[:200])
            est = await session.call_tool("estimate_cost", {"family": "text2video", "request": video})
            check(not est.is_error and json.loads(text(est))["estimate"]["units"] > 0, "estimate_cost prices it", text(est))
            why = await session.call_tool("explain_error", {"code": "1303"})
            check(not why.is_error and "remedy" in text(why), "explain_error explains 1303", text(why))
            models = json.loads(text(await session.call_tool("list_models", {"kind": "video"})))["models"]
            check(any(m["model"] == "kling-v2-6" for m in models), "list_models lists the video models")
            resources = {r.uri for r in (await session.list_resources()).resources}
            check({"kling://models", "kling://errors"} <= resources, "the models and the error codes are resources", resources)
            body = (await session.read_resource("kling://errors")).contents[0].text
            check("1303" in body, "the error codes resource holds the codes")

    # A restart in the middle of a wait: the server goes away while it waits; a new one with
    # the same store lists the job and picks the wait up.
    async with stdio_client(server("1000")) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            made = await session.call_tool("create_video", {"family": "text2video",
                                                            "request": dict(video, prompt="a crow")})
            check(not made.is_error, "a second video is created", text(made))
            second = json.loads(text(made))["external_task_id"]
            with anyio.move_on_after(1.0) as scope:
                await session.call_tool("wait_task", {"external_task_id": second})
            check(scope.cancelled_caught, "the server is stopped in the middle of a wait")
    async with stdio_client(server("1000")) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            jobs = json.loads(text(await session.call_tool("list_jobs", {})))["jobs"]
            check({j["external_task_id"] for j in jobs} >= {job["external_task_id"], second},
                  "after a restart, list_jobs shows the jobs", jobs)
            done = await session.call_tool("wait_task", {"external_task_id": second})
            check(not done.is_error and json.loads(text(done))["state"] == "done",
                  "after a restart, wait_task picks the job up", text(done))


asyncio.run(main())
