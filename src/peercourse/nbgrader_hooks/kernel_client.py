"""`PromptKernelClient`: jupyter_client's kernel client, ready as soon as its kernel is.

jupyter_client's `wait_for_ready` asks the kernel for its info until it answers, then, to
drop what the kernel published before, reads its broadcast channel (IOPub) until nothing
comes for 0.2 s. That quiet wait is paid by every kernel start: a third of a second's
grading of a notebook once the kernel itself starts quickly (docs/performance.md).

This client makes the same two checks without a wait for nothing: the kernel is ready
when it has answered the info request on its shell channel and IOPub has carried the
"idle" status that closes that same request (so IOPub is connected, and everything the
kernel published before it has arrived). What is waiting on IOPub at that point is then
dropped at once, as jupyter_client drops it. Chosen in nbgrader_config.py
(`c.IsolatedKernelManager.client_class`).
"""
from __future__ import annotations

import time
from queue import Empty

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from traitlets import default


class PromptKernelClient(AsyncKernelClient):
    """An async kernel client whose `wait_for_ready` returns once the kernel is ready."""

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        context = zmq.asyncio.Context()
        # The client connects as the kernel starts, before it has bound its ports; zmq tries
        # a refused connection again after 100 ms by default, 10 ms here.
        context.setsockopt(zmq.RECONNECT_IVL, 10)
        return context

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            asked = self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=max(0.0, min(1.0, deadline - time.monotonic())))
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                # an answer to an earlier round's request counts too: its own idle status follows it
                if await self._idle_after(reply["parent_header"].get("msg_id", asked), within=0.2):
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        while True:  # what IOPub holds now was published before the kernel was ready
            try:
                await self.iopub_channel.get_msg(timeout=0)
            except Empty:
                break

    async def _idle_after(self, msg_id: str, within: float) -> bool:
        """Whether IOPub brings the kernel's "idle" status for request `msg_id` in time
        (not if IOPub is not connected yet: then the info request is sent again)."""
        end = time.monotonic() + within
        while (left := end - time.monotonic()) > 0:
            try:
                message = await self.iopub_channel.get_msg(timeout=left)
            except Empty:
                return False
            if (message["msg_type"] == "status" and message["content"].get("execution_state") == "idle"
                    and message["parent_header"].get("msg_id") == msg_id):
                return True
        return False
