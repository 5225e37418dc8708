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
    from .indexing.build import build_index

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
    from .ingest.catalog import Catalog
    from .ingest.loaders import load_file
    from .ingest.ocr import repair_counts
    from .parse.inspect_report import format_report, inspect_report
    from .parse.structure import parse_document

    path = Path(args.file)
    try:
        document = load_file(path)
    except Exception as error:
        print(f"Berkas tidak dapat dibaca: {path} ({error})", file=sys.stderr)
        return 2
    settings = get_settings()
    parsed = parse_document(document, Catalog.load(settings.catalog_path), max_tokens=settings.max_passage_tokens)
    report = inspect_report(parsed, repair_counts(document.text))
    if args.json:
        _print_json(report)
    else:
        print(format_report(report))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation.baselines import retriever_ranker
    from .evaluation.metrics import (
        evaluate,
        evaluate_answers,
        format_answer_metrics,
        format_table,
        load_items,
        standalone_of,
    )
    from .retrieval.index import LoadedIndex
    from .retrieval.retriever import HybridRetriever

    settings = get_settings()
    items = load_items(Path(args.file))
    index = LoadedIndex.open(settings)
    product = retriever_ranker(HybridRetriever(index=index, k=10, depth=settings.candidate_depth))
    # Warmed as a server is at startup (term caches, the ranker, the vectors read from Chroma), so
    # the latencies reported are those of questions, not of the first one filling the caches.
    index.warm()
    product("Sentra IKM")
    results = {"hybrid (produk)": evaluate(items, product, standalone_of)}
    for name, value in _sweep(args.sweep):
        swept = retriever_ranker(HybridRetriever(index=index, k=10, **{SWEEPABLE[name]: value}))
        results[f"{name}={value}"] = evaluate(items, swept, standalone_of)
    if args.baseline:
        from .evaluation.baselines import bm25_ranker, dense_ranker, fusion_ranker, naive_chunks_ranker
        from .ingest.loaders import load_documents
        from .retrieval.query_adapter import QueryAdapter

        documents, _ = load_documents(settings.corpus_dirs)
        results["rrf bm25 + dense"] = evaluate(items, fusion_ranker(index), standalone_of)
        results["bm25 saja"] = evaluate(items, bm25_ranker(index), standalone_of)
        results["dense saja (e5)"] = evaluate(items, dense_ranker(index, QueryAdapter()), standalone_of)
        results["dense saja (e5 + adapter)"] = evaluate(items, dense_ranker(index), standalone_of)
        results["langchain 1000/200 + chroma"] = evaluate(items, naive_chunks_ranker(documents, index.embedder), standalone_of)
    cross_validated = _cross_validated(args, index)
    if args.answers:
        from .answering.chain import Assistant

        assistant = Assistant(settings, index=index)
        results["jawaban (ekstraktif)"] = evaluate_answers(items, assistant.ask)
    if args.json:
        _print_json({**results, **({"train (5-fold CV)": cross_validated} if cross_validated else {})})
        return 0
    print(format_table({name: r for name, r in results.items() if "overall" in r}))
    if args.answers:
        print(format_answer_metrics(results["jawaban (ekstraktif)"]))
    if cross_validated:
        print(format_side_by_side(cross_validated, results, Path(args.file).name))
    return 0


# The ranking settings a search reads, and the retriever parameter each sets (the rest are fixed by training).
SWEEPABLE = {"candidate_depth": "depth"}


def _sweep(spec: str | None) -> list[tuple[str, int]]:
    """"candidate_depth=30,50,80" -> [("candidate_depth", 30), ...]."""
    if not spec:
        return []
    name, _, values = spec.partition("=")
    if name not in SWEEPABLE or not values:
        raise SystemExit(f"--sweep harus berbentuk NAMA=N1,N2 dengan NAMA salah satu dari: {', '.join(SWEEPABLE)}")
    try:
        return [(name, int(value)) for value in values.split(",") if value.strip()]
    except ValueError:
        raise SystemExit(f"--sweep: nilai {name} harus bilangan bulat, bukan {values!r}") from None


def _cross_validated(args: argparse.Namespace, index) -> dict | None:
    """Train figures, 5-fold cross-validated: recomputed with --cv, else as `train` recorded them."""
    if args.cv:
        from .evaluation.train import cross_validated_report

        return cross_validated_report(index, Path(args.cv), progress=sys.stderr.isatty())
    return index.artifacts.manifest.get("cross_validated") if index.artifacts else None


def format_side_by_side(cross_validated: dict, results: dict, name: str) -> str:
    product = results["hybrid (produk)"]["overall"]
    train = cross_validated["retrieval"]
    lines = ["", f"Train (5-fold CV) dan {name}, berdampingan:", f"  {'':<24}{'train-CV':>10}{name:>14}"]
    for key in ("hit@1", "hit@3", "hit@5", "hit@10", "mrr@10"):
        lines.append(f"  {key:<24}{train[key]:>10.3f}{product[key]:>14.3f}")
    groups = results["hybrid (produk)"]["groups"]
    for style, figures in cross_validated.get("styles", {}).items():
        mine = groups.get(f"style:{style}")
        for key in ("hit@5", "mrr@10"):
            value = f"{mine[key]:>14.3f}" if mine else f"{'-':>14}"
            lines.append(f"  {style + ' ' + key:<24}{figures[key]:>10.3f}{value}")
    answers = results.get("jawaban (ekstraktif)")
    decline = cross_validated.get("decline", {})
    for key, label in (("declined_unanswerable", "menolak tak terjawab"), ("answered_answerable", "menjawab terjawab")):
        if key in decline:
            mine = f"{answers[key]:>14.3f}" if answers else f"{'-':>14}"
            lines.append(f"  {label:<24}{decline[key]:>10.3f}{mine}")
    return "\n".join(lines)


def cmd_train(args: argparse.Namespace) -> int:
    from .evaluation.train import train
    from .retrieval.index import LoadedIndex

    settings = get_settings()
    train_path = Path(args.train or settings.train_path)
    if not train_path.exists():
        print(f"Berkas latih tidak ditemukan: {train_path} (atur --train atau SENTRA_TRAIN_PATH).", file=sys.stderr)
        return 2
    out_dir = Path(args.out or settings.artifacts_dir)
    index = LoadedIndex.open(settings)
    quiet = lambda message: None  # noqa: E731
    extra = [Path(path) for path in args.extra]
    if missing := [str(path) for path in extra if not path.exists()]:
        print(f"Berkas tambahan tidak ditemukan: {', '.join(missing)}.", file=sys.stderr)
        return 2
    report = train(index, train_path, out_dir, progress=not args.json, log=quiet if args.json else print, extra_paths=extra)
    if args.json:
        _print_json({"artifacts": str(out_dir), **report})
    else:
        retrieval, decline = report["retrieval"], report["decline"]
        print(
            f"Artefak ditulis ke {out_dir}. Train 5-fold CV: hit@5 {retrieval['hit@5']:.3f}, MRR@10 "
            f"{retrieval['mrr@10']:.3f}; menolak {decline['declined_unanswerable']:.3f} yang tak terjawab, "
            f"menjawab {decline['answered_answerable']:.3f} yang terjawab (ambang {decline['threshold']:.3f})."
        )
        if (follow_ups := report["follow_ups"])["count"]:
            print(f"Pertanyaan lanjutan ({follow_ups['count']}, dengan riwayatnya): bukti di 5 teratas {follow_ups['hit@5']:.3f}.")
        units = report["units"]
        print(
            f"Pilihan kutipan (train 5-fold CV): fakta kunci {units['learned']['key_facts']:.3f} "
            f"(bobot manual {units['hand']['key_facts']:.3f}), di 400 karakter awal "
            f"{units['learned']['key_facts_lead']:.3f} ({units['hand']['key_facts_lead']:.3f}), sitasi emas "
            f"{units['learned']['gold_citation']:.3f} ({units['hand']['gold_citation']:.3f})."
        )
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from .answering.chain import Assistant
    from .answering.contract import answer_to_dict

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


def cmd_corpus(args: argparse.Namespace) -> int:
    from .ingest.catalog import Catalog
    from .ingest.pull import add_regulation, pull_corpus
    from .ingest.sources import SourceError

    settings = get_settings()
    location = args.source or settings.corpus_source
    show_progress = args.progress or (not args.json and sys.stderr.isatty())
    if args.action == "add":
        try:
            entry = add_regulation(settings.catalog_path, settings.corpus_dirs, location, args.regulation, show_progress)
        except (ValueError, SourceError) as error:
            print(str(error), file=sys.stderr)
            return 1
        if args.json:
            _print_json({"id": entry.id, "file": entry.files[0], "title": entry.title, "sha256": entry.sha256})
        else:
            print(f"{entry.id} ({entry.title}) diunduh ke {settings.corpus_dirs[0] / entry.files[0]} dan ditambahkan ke "
                  f"{settings.catalog_path}. Jalankan `python -m assistant index` untuk mengindeksnya.")
        return 0
    report = pull_corpus(Catalog.load(settings.catalog_path), settings.corpus_dirs, location, show_progress)
    if args.json:
        _print_json(report.to_dict())
    else:
        if report.fetched:
            print(f"Diunduh dari {report.source} ke {report.target}: {', '.join(report.fetched)}.")
        print(f"Korpus: {len(report.present) + len(report.fetched)} berkas siap"
              + (f", {len(report.present)} sudah ada dan cocok dengan checksum katalog." if report.present else "."))
        for skipped in report.skipped:
            print(f"Catatan: {skipped.message}", file=sys.stderr)
        for failure in report.failures:
            print(f"Gagal: {failure.message}", file=sys.stderr)
    return 0 if report.ok else 1


def cmd_serve(args: argparse.Namespace) -> int:
    from .serving.app import serve

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

    corpus = commands.add_parser("corpus", help="unduh teks peraturan katalog ke folder korpus")
    corpus_actions = corpus.add_subparsers(dest="action", required=True)
    pull = corpus_actions.add_parser("pull", help="unduh berkas katalog yang belum ada (dengan pemeriksaan sha256)")
    add = corpus_actions.add_parser("add", help="unduh satu peraturan lagi dan tambahkan ke katalog")
    add.add_argument("regulation", help='mis. "UU 20/2008"')
    for action in (pull, add):
        action.add_argument("--source", help="alamat http(s), folder atau arsip .tar.gz (bawaan SENTRA_CORPUS_SOURCE)")
        action.add_argument("--json", action="store_true")
        action.add_argument("--progress", action="store_true", help="tampilkan progres walau bukan terminal")
        action.set_defaults(func=cmd_corpus)

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
    evaluation.add_argument("--cv", metavar="TRAIN.jsonl", help="hitung ulang angka train 5-fold CV dari berkas ini")
    evaluation.add_argument("--sweep", metavar="NAMA=N1,N2", help="ukur ulang dengan pengaturan lain, mis. candidate_depth=30,50,80")
    evaluation.set_defaults(func=cmd_eval)

    training = commands.add_parser("train", help="latih ranker dan pengklasifikasi penolakan dari train.jsonl")
    training.add_argument("--train", help="berkas latih JSONL (bawaan SENTRA_TRAIN_PATH)")
    training.add_argument("--out", help="folder artefak (bawaan SENTRA_ARTIFACTS_DIR)")
    training.add_argument("--extra", action="append", default=[], metavar="BERKAS.jsonl",
                          help="butir latih tambahan, mis. koreksi help desk (koreksi.jsonl); boleh berulang")
    training.add_argument("--json", action="store_true")
    training.set_defaults(func=cmd_train)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
    from .indexing.store import IndexMissingError

    try:
        return args.func(args)
    except IndexMissingError as error:
        print(str(error), file=sys.stderr)
        return 3
