"""Compare llama-cpp-python and xllamacpp on the bundled GGUF: load time, prompt and generation speed.

Run: python benchmarks/llm_backends.py xllamacpp|llama-cpp-python (each installed). Prints one JSON line per backend.
"""
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from rag.local_model import ensure_local_model

MODEL = str(ensure_local_model(Path.home() / ".cache" / "rag"))
ARTICLE = (Path(__file__).resolve().parent.parent / "data/articles/002_c5412f6f5895c1b2.txt").read_text()[:2400]
MESSAGES = [
    {"role": "system", "content": "Answer from the source only."},
    {"role": "user", "content": f"Source:\n{ARTICLE}\n\nSummarise the source in five sentences."},
]


def bench_llama_cpp_python() -> dict:
    from llama_cpp import Llama

    t = time.perf_counter()
    llm = Llama(model_path=MODEL, n_ctx=4096, n_threads=2, n_threads_batch=2, n_batch=512, n_ubatch=512, verbose=False)
    load = time.perf_counter() - t
    t = time.perf_counter()
    first = None
    n = 0
    for chunk in llm.create_chat_completion(MESSAGES, temperature=0, max_tokens=128, stream=True):
        if chunk["choices"][0]["delta"].get("content"):
            first = first or time.perf_counter() - t
            n += 1
    total = time.perf_counter() - t
    prompt_tokens = len(llm.tokenize(json.dumps(MESSAGES).encode()))
    return {"backend": "llama-cpp-python", "load_s": load, "ttft_s": first, "gen_tok_s": n / (total - first),
            "approx_prompt_tok_s": prompt_tokens / first}


def bench_xllamacpp() -> dict:
    import xllamacpp as x
    from openai import OpenAI

    p = x.CommonParams()
    p.model.path = MODEL
    p.n_ctx = 4096
    p.cpuparams.n_threads = 2
    p.cpuparams_batch.n_threads = 2
    p.hostnames = ["127.0.0.1"]
    p.port = 0
    p.cache_prompt = False
    t = time.perf_counter()
    server = x.Server(p)
    load = time.perf_counter() - t
    client = OpenAI(base_url=server.listening_address + "/v1", api_key="none")
    t = time.perf_counter()
    first = None
    n = 0
    usage = None
    for chunk in client.chat.completions.create(model="m", messages=MESSAGES, temperature=0, max_tokens=128,
                                                stream=True, stream_options={"include_usage": True}):
        if chunk.usage:
            usage = chunk.usage
        if chunk.choices and chunk.choices[0].delta.content:
            first = first or time.perf_counter() - t
            n += 1
    total = time.perf_counter() - t
    return {"backend": "xllamacpp", "load_s": load, "ttft_s": first, "gen_tok_s": n / (total - first),
            "approx_prompt_tok_s": usage.prompt_tokens / first if usage else None}


if __name__ == "__main__":
    # One backend per process: both bundle their own libllama and crash when loaded together.
    which = sys.argv[1] if len(sys.argv) > 1 else "xllamacpp"
    fn = bench_xllamacpp if which == "xllamacpp" else bench_llama_cpp_python
    print(json.dumps(fn()), flush=True)
