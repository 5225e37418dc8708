"""`python -m assistant <command>`: a thin CLI over the library API."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .config import get_settings


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def cmd_index(args: argparse.Namespace) -> int:
    from .indexer import build_index

    settings = get_settings()
    summary = build_index(settings, show_progress=not args.json and sys.stderr.isatty() or args.progress)
    if args.json:
        _print_json(summary.to_dict())
    else:
        print(
            f"Indeks siap ({summary.build}): {summary.documents} dokumen, {summary.passages} passage; "
            f"{summary.added} berkas baru/berubah, {summary.unchanged} tidak berubah, {summary.removed} dihapus; "
            f"{summary.seconds:.1f} detik."
        )
        for failure in summary.failures:
            print(f"Peringatan: {failure['message']}", file=sys.stderr)
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from .catalog import Catalog
    from .inspect_report import format_report, inspect_report
    from .loaders import load_file
    from .structure import parse_document

    path = Path(args.file)
    try:
        document = load_file(path)
    except Exception as error:
        print(f"Berkas tidak dapat dibaca: {path} ({error})", file=sys.stderr)
        return 2
    settings = get_settings()
    parsed = parse_document(document, Catalog.load(settings.catalog_path), max_tokens=settings.max_passage_tokens)
    report = inspect_report(parsed)
    if args.json:
        _print_json(report)
    else:
        print(format_report(report))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation import evaluate, evaluate_answers, format_answer_metrics, format_table, load_items
    from .retriever import HybridRetriever, LoadedIndex

    settings = get_settings()
    items = load_items(Path(args.file))
    index = LoadedIndex.open(settings)
    retriever = HybridRetriever(index=index, k=10)
    results = {"hybrid (produk)": evaluate(items, lambda q: [r.passage.text for r in retriever.retrieve(q, k=10)])}
    if args.baseline:
        from .baselines import bm25_ranker, naive_chunks_ranker
        from .loaders import load_documents

        documents, _ = load_documents(settings.corpus_dirs)
        results["bm25 saja"] = evaluate(items, bm25_ranker(index))
        results["langchain 1000/200 + chroma"] = evaluate(items, naive_chunks_ranker(documents, index.embedder))
    if args.answers:
        from .chain import Assistant

        assistant = Assistant(settings, index=index)
        answers = evaluate_answers(items, assistant.ask)
        results["jawaban (ekstraktif)"] = answers
    if args.json:
        _print_json(results)
    else:
        print(format_table({name: r for name, r in results.items() if "overall" in r}))
        if args.answers:
            print(format_answer_metrics(answers))
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from .chain import Assistant
    from .contract import answer_to_dict

    settings = get_settings()
    assistant = Assistant(settings)
    if args.batch:
        with open(args.batch, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    question = str(item["question"])
                except (json.JSONDecodeError, KeyError, TypeError) as error:
                    print(f"Baris {number} dilewati: bukan JSON dengan field 'question' ({error}).", file=sys.stderr)
                    continue
                answer = assistant.ask(question, history=item.get("history"), k=args.k)
                print(json.dumps(answer_to_dict(answer, item.get("id")), ensure_ascii=False), flush=True)
        return 0
    if not args.question:
        print("Tulis pertanyaan, atau gunakan --batch BERKAS.jsonl.", file=sys.stderr)
        return 2
    answer = assistant.ask(args.question, k=args.k)
    if args.json:
        _print_json(answer_to_dict(answer))
    else:
        for notice in answer.notices:
            print(f"Catatan: {notice}")
        print(answer.answer)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .web import serve

    settings = get_settings()
    serve(host=args.host or settings.host, port=args.port or settings.port)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Asisten regulasi Sentra IKM")
    parser.add_argument("-v", "--verbose", action="store_true", help="log rinci ke stderr")
    commands = parser.add_subparsers(dest="command", required=True)

    index = commands.add_parser("index", help="bangun/perbarui indeks dari folder korpus")
    index.add_argument("--json", action="store_true")
    index.add_argument("--progress", action="store_true", help="tampilkan progres walau bukan terminal")
    index.set_defaults(func=cmd_index)

    inspect = commands.add_parser("inspect", help="periksa hasil penguraian satu berkas")
    inspect.add_argument("file")
    inspect.add_argument("--json", action="store_true")
    inspect.set_defaults(func=cmd_inspect)

    ask = commands.add_parser("ask", help="ajukan pertanyaan")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--k", type=int, default=None, help="jumlah passage yang diambil")
    ask.add_argument("--batch", help="berkas JSONL: id, question, history (opsional); satu baris keluaran per masukan")
    ask.set_defaults(func=cmd_ask)

    serve = commands.add_parser("serve", help="jalankan antarmuka chat dan HTTP API")
    serve.add_argument("--host", default=None, help="alamat (bawaan SENTRA_HOST atau 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (bawaan SENTRA_PORT atau 7860)")
    serve.set_defaults(func=cmd_serve)

    evaluation = commands.add_parser("eval", help="ukur mutu penelusuran pada berkas JSONL")
    evaluation.add_argument("file")
    evaluation.add_argument("--json", action="store_true")
    evaluation.add_argument("--baseline", action="store_true", help="bandingkan dengan baseline")
    evaluation.add_argument("--answers", action="store_true", help="juga ukur jawaban: menolak, sitasi, fakta kunci")
    evaluation.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
    from .store import IndexMissingError

    try:
        return args.func(args)
    except IndexMissingError as error:
        print(str(error), file=sys.stderr)
        return 3
