"""Independent reference for ZO Studio's zero-shot scoring (test/eval/hf-parity.test.ts reads its output).

Re-implements, with the Python stack, everything between a fixture row and a metric: the task's Jinja
templates (jinja2), the split of prompt and option tokens (by the `tokenizers` character offsets, not by
re-tokenizing prefixes as core/models/tokenizer.ts does), left truncation keeping BOS, the MeZO candidate
score (mean log-probability of the option tokens, float64 log-softmax over a transformers
LlamaForCausalLM forward) and cross-entropy over candidates, and greedy decoding with `generate`.

usage: python3 hf_zero_shot.py FIXTURES_DIR TASKS_DIR OUT.json [MODEL MAX_LENGTH DATASET,...]
  (FIXTURES_DIR holds models/ and datasets/; the default is stories260k, 256 tokens, the seven
  classification fixtures plus SQuAD greedy answers)
"""

import json
import math
import sys
from pathlib import Path

import jinja2
import tokenizers
import torch
import transformers

ROWS = 16
SQUAD_ROWS, SQUAD_NEW_TOKENS, SQUAD_MAX_LENGTH = 4, 8, 512

fixtures, tasks_dir, out_file = (Path(p) for p in sys.argv[1:4])
MODEL = sys.argv[4] if len(sys.argv) > 4 else "stories260k"
MAX_LENGTH = int(sys.argv[5]) if len(sys.argv) > 5 else 256  # long prompts are cut from the left
CLASSIFICATION = sys.argv[6].split(",") if len(sys.argv) > 6 else ["sst2", "sst5", "trec", "rte", "cb", "boolq", "copa"]
WITH_SQUAD = len(sys.argv) <= 4
model_dir = fixtures / "models" / MODEL
device = "cuda" if torch.cuda.is_available() else "cpu"
model = transformers.AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float64).to(device).eval()
tokenizer = tokenizers.Tokenizer.from_file(str(model_dir / "tokenizer.json"))
env = jinja2.Environment()


def rows_of(dataset):
    lines = (fixtures / "datasets" / dataset / "validation.jsonl").read_text().splitlines()
    return [(n + 1, json.loads(line)) for n, line in enumerate(lines) if line.strip()]


def fields_of(task, row):
    values = {}
    for field, candidates in task["fields"].items():
        for spec in candidates:
            columns = spec.split(",")
            if all(c in row for c in columns):
                values[field] = row[columns[0]] if len(columns) == 1 else [row[c] for c in columns]
                break
    if "answers" in values and isinstance(values["answers"], dict):
        values["answers"] = values["answers"]["text"]
    return values


def encode_option(prompt, option):
    """Ids of prompt+option, a mask of the tokens carrying option characters (by offsets), and whether
    the first id is a special token the post-processor added (BOS for Llama, </s> for OPT, none for GPT-2)."""
    encoding = tokenizer.encode(prompt + option)
    boundary = len(prompt)
    special = encoding.special_tokens_mask
    mask = [1 if (end > boundary and not special[i]) else 0 for i, (start, end) in enumerate(encoding.offsets)]
    return list(encoding.ids), mask, bool(special and special[0])


def truncate_left(ids, mask, keeps_first, max_length):
    if len(ids) <= max_length:
        return ids, mask
    if not keeps_first:
        return ids[-max_length:], mask[-max_length:]
    keep = max_length - 1
    return [ids[0]] + ids[-keep:], [mask[0]] + mask[-keep:]


@torch.no_grad()
def mean_logprob(ids, mask):
    logits = model(torch.tensor([ids], device=device)).logits[0].double()
    logprobs = torch.log_softmax(logits, dim=-1)
    picked = [logprobs[t - 1, ids[t]].item() for t in range(1, len(ids)) if mask[t]]
    return sum(picked) / len(picked)


result = {
    "generated_with": "test/eval/reference/hf_zero_shot.py: transformers "
    + transformers.__version__
    + ", torch "
    + torch.__version__
    + f", tokenizers {tokenizers.__version__}, jinja2 {jinja2.__version__}, float64 on {device}",
    "model": MODEL,
    "max_length": MAX_LENGTH,
    "rows": ROWS,
    "datasets": {},
}

for name in CLASSIFICATION:
    task = json.loads((tasks_dir / f"{name}.json").read_text())
    prompt_template = env.from_string(task["template"])
    candidate_template = env.from_string(task["candidate"]) if "candidate" in task else None
    examples, correct = [], 0
    for line, row in rows_of(name)[:ROWS]:
        values = fields_of(task, row)
        prompt = prompt_template.render(**values)
        if candidate_template is not None:
            candidates = [candidate_template.render(**values, choice=choice) for choice in values["choices"]]
        else:
            candidates = task["verbalizer"]
        gold = int(values["label"])
        scores, option_ids = [], []
        for candidate in candidates:
            ids, mask = truncate_left(*encode_option(prompt, candidate), MAX_LENGTH)
            option_ids.append([i for i, m in zip(ids, mask) if m])
            scores.append(mean_logprob(ids, mask))
        top = max(scores)
        loss = top + math.log(sum(math.exp(s - top) for s in scores)) - scores[gold]
        pred = scores.index(top)
        correct += pred == gold
        examples.append({"line": line, "prompt": prompt, "candidates": candidates, "option_ids": option_ids,
                         "scores": scores, "loss": loss, "gold": gold, "pred": pred})
    result["datasets"][name] = {"task": task["name"], "accuracy": correct / len(examples),
                                "mean_loss": sum(e["loss"] for e in examples) / len(examples), "examples": examples}
    print(name, result["datasets"][name]["accuracy"], result["datasets"][name]["mean_loss"], flush=True)

if not WITH_SQUAD:
    Path(out_file).write_text(json.dumps(result, indent=1) + "\n")
    sys.exit(0)

squad_task = json.loads((tasks_dir / "squad.json").read_text())
squad_prompt = env.from_string(squad_task["template"])
generations = []
for line, row in rows_of("squad")[:SQUAD_ROWS]:
    prompt = squad_prompt.render(**fields_of(squad_task, row))
    ids = tokenizer.encode(prompt).ids
    room = SQUAD_MAX_LENGTH - SQUAD_NEW_TOKENS
    if len(ids) > room:
        ids = [ids[0]] + ids[-(room - 1):]
    with torch.no_grad():
        out = model.generate(torch.tensor([ids], device=device), attention_mask=torch.ones(1, len(ids), dtype=torch.long, device=device),
                             max_new_tokens=SQUAD_NEW_TOKENS, do_sample=False, eos_token_id=2, pad_token_id=2)
    new_ids = out[0, len(ids):].tolist()
    if 2 in new_ids:
        new_ids = new_ids[: new_ids.index(2)]
    generations.append({"line": line, "prompt_tokens": len(ids), "new_ids": new_ids, "text": tokenizer.decode(new_ids)})
result["squad"] = {"max_length": SQUAD_MAX_LENGTH, "max_new_tokens": SQUAD_NEW_TOKENS, "generations": generations}
print("squad", [g["text"] for g in generations], flush=True)

Path(out_file).write_text(json.dumps(result, indent=1) + "\n")
