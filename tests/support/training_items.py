"""Made-up training items over a real index: what `train` tests and the help-desk export test learn from."""

OFF_TOPIC = [
    "Berapa harga tiket pesawat ke Denpasar bulan depan?",
    "Siapa juara lomba balap karung di kampung sebelah?",
    "Bagaimana resep sambal terasi yang pedas?",
    "Jadwal kereta malam dari Surabaya hari Minggu jam berapa?",
]


def made_up_items(index, count: int = 14) -> list[dict]:
    """Questions built from words of real provisions, their evidence the provision's own words."""
    provisions = [p for p in index.passages if p.kind == "pasal" and len(p.text.split()) > 40][:: 7][:count]
    items = []
    for n, passage in enumerate(provisions):
        words = passage.text.split()
        items.append(
            {
                "id": f"uji-{n}",
                "question": "Bagaimana ketentuan " + " ".join(words[8:20]) + "?",
                "answerable": True,
                "style": "formal",
                "evidence": [{"source_file": passage.source_file, "text": " ".join(words[5:30])}],
            }
        )
    items += [{"id": f"luar-{n}", "question": q, "answerable": False, "style": "colloquial"} for n, q in enumerate(OFF_TOPIC)]
    return items
