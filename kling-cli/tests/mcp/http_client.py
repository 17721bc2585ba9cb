"""`kling mcp --http` over streamable HTTP, driven by the official MCP Python SDK.

Run by kling-cli's tests/mcp.rs with URL (the server's /mcp endpoint), TOKEN and VIDEO.
Prints one line per check; exits non-zero on the first that fails.
"""

import asyncio
import json
import os
import urllib.error
import urllib.request

import anyio
from mcp import ClientSession
from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client

from checks import check, text

URL = os.environ["URL"]
TOKEN = os.environ["TOKEN"]


def status_without(headers: dict) -> int:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).encode()
    request = urllib.request.Request(URL, data=body, method="POST", headers={
        "Content-Type": "application/json", "Accept": "application/json, text/event-stream", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as e:
        return e.code


async def main() -> None:
    check(status_without({}) == 401, "a request without the token is refused (401)")
    check(status_without({"Authorization": "Bearer " + "x" * 64}) == 401, "a wrong token is refused (401)")
    video = json.loads(os.environ["VIDEO"])
    client = create_mcp_http_client(headers={"Authorization": f"Bearer {TOKEN}"})
    async with streamable_http_client(URL, http_client=client) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            tools = {t.name for t in (await session.list_tools()).tools}
            check("create_video" in tools and "wait_task" in tools, "the tools are listed over HTTP", tools)
            made = await session.call_tool("create_video", {"family": "text2video", "request": video})
            check(not made.is_error, "a video is created over HTTP", text(made))
            job = json.loads(text(made))["external_task_id"]

            # A wait cancelled by the client stops; the task goes on, and a new wait finds it done.
            with anyio.move_on_after(1.0) as scope:
                await session.call_tool("wait_task", {"external_task_id": job})
            check(scope.cancelled_caught, "the first wait was cancelled by the client")
            state = json.loads(text(await session.call_tool("get_task", {"external_task_id": job})))
            check(state["state"] == "created", "after the cancel the job is still running", state)

            seen = []

            async def progress(progress, total, message):
                seen.append(message)

            done = await session.call_tool("wait_task", {"external_task_id": job}, progress_callback=progress)
            check(not done.is_error and json.loads(text(done))["state"] == "done",
                  "a new wait after the cancel ends done", text(done))
            check(len(seen) >= 1, "progress notifications came over HTTP", seen)

            # The other APIs, in the same tools: the new standard (a kind and a model) and RunBlob.
            for what, args in [
                ("a new-standard video", {"family": "text-to-video", "model": "kling-3.0",
                                          "request": {"prompt": "a fox on the new standard"}}),
                ("a RunBlob video", {"family": "o3-video", "request": {"prompt": "a crow through RunBlob"}}),
            ]:
                made = await session.call_tool("create_video", args)
                check(not made.is_error, f"{what} is created", text(made))
                key = json.loads(text(made))["external_task_id"]
                done = await session.call_tool("wait_task", {"external_task_id": key})
                check(not done.is_error and json.loads(text(done))["state"] == "done",
                      f"{what} is waited for", text(done))
            # An image: downloaded, linked, and shown to the agent as an image.
            made = await session.call_tool("create_image", {"family": "image", "request": {"prompt": "a red fox"}})
            check(not made.is_error, "an image is created", text(made))
            key = json.loads(text(made))["external_task_id"]
            done = await session.call_tool("wait_task", {"external_task_id": key})
            check(not done.is_error, "the image is waited for", text(done))
            got = await session.call_tool("download_results", {"external_task_id": key})
            kinds = [c.type for c in got.content]
            check(not got.is_error and "resource_link" in kinds and "image" in kinds,
                  "the image comes back as a link and as an image", kinds)
            wrong = await session.call_tool("create_video", {"family": "text-to-video", "request": {"prompt": "x"}})
            check(wrong.is_error and "model" in text(wrong), "a new-standard create without a model names it", text(wrong))


asyncio.run(main())
