"""The notebooks run on the interpreter under test, so a run on each Python really tests it."""

import sys

from jupyter_client.manager import start_new_kernel


def test_the_python3_kernel_is_this_interpreter():
    printed: list[str] = []
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        reply = client.execute_interactive(
            "import sys; print(sys.version_info[:2], sys.prefix)",
            timeout=60,
            output_hook=lambda msg: printed.append(msg["content"].get("text", "")),
        )
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok"
    assert "".join(printed).strip() == f"{sys.version_info[:2]} {sys.prefix}"
