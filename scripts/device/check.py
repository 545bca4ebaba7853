"""Independent check of ZO Studio's exports on the GPU machine (see prepare.ts).

For every case in expected.json it recomputes the per-example masked mean NLL with Hugging Face
transformers (+ peft for the adapter) in float32 on CUDA, and runs the merged ONNX export with
onnxruntime (CUDA EP when the installed onnxruntime has it), then compares with ZO Studio's numbers.
Exit code 1 if any difference exceeds the tolerance.
"""
import json
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM

# float32 implementations agree to ~1e-5 relative; the random GPT-2 has losses near 17, so the bound is
# relative with a 1e-4 floor.
TOL = 1e-4
root = Path(sys.argv[1])
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
device = 'cuda' if torch.cuda.is_available() else 'cpu'
print(f'torch {torch.__version__} on {device}: {torch.cuda.get_device_name(0) if device == "cuda" else "-"}')
print(f'onnxruntime {ort.__version__}, providers {ort.get_available_providers()}')


def per_example_nll(logits, labels):
    logits = logits[:, :-1].float()
    target = labels[:, 1:]
    mask = target != -100
    logp = torch.log_softmax(logits, dim=-1)
    nll = -logp.gather(-1, target.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return ((nll * mask).sum(1) / mask.sum(1)).tolist()


def hf_losses(model, case):
    ids = torch.tensor(case['input_ids'], device=device)
    mask = torch.tensor(case['attention_mask'], device=device)
    labels = torch.tensor(case['labels'], device=device)
    with torch.no_grad():
        return per_example_nll(model(input_ids=ids, attention_mask=mask).logits, labels)


failures = 0
report = []


def compare(case, what, ours, theirs):
    global failures
    ours, theirs = np.array(ours), np.array(theirs)
    diff = float(np.max(np.abs(ours - theirs)))
    ok = bool(np.all(np.abs(ours - theirs) <= TOL * np.maximum(1.0, np.abs(theirs))))
    failures += 0 if ok else 1
    line = f"{case['name']:<22} {what:<28} max|diff| {diff:.2e}  {'ok' if ok else 'FAIL'}"
    print(line)
    report.append({'case': case['name'], 'what': what, 'max_abs_diff': diff, 'ok': ok})


expected = json.loads((root / 'expected.json').read_text())
for case in expected['cases']:
    base_dir = root / case['name'] / 'base'
    ours = case['losses']
    t0 = time.time()
    base = AutoModelForCausalLM.from_pretrained(base_dir, torch_dtype=torch.float32).to(device).eval()
    base_hf = hf_losses(base, case)
    compare(case, 'base: ours vs transformers', ours['base'], base_hf)
    tuned = PeftModel.from_pretrained(base, root / case['name'] / 'peft').to(device).eval()
    adapter_hf = hf_losses(tuned, case)
    compare(case, 'adapter: ours vs peft', ours['adapter'], adapter_hf)
    print(f"{'':<22} adapter moved the loss by {np.max(np.abs(np.array(adapter_hf) - np.array(base_hf))):.3e}")
    merged = AutoModelForCausalLM.from_pretrained(root / case['name'] / 'merged', torch_dtype=torch.float32)
    merged_hf = hf_losses(merged.to(device).eval(), case)
    compare(case, 'merged: ours vs transformers', ours['merged'], merged_hf)
    compare(case, 'merged vs peft (both HF)', merged_hf, adapter_hf)
    providers = [p for p in ('CUDAExecutionProvider', 'CPUExecutionProvider') if p in ort.get_available_providers()]
    session = ort.InferenceSession(str(root / case['name'] / 'onnx' / 'model.onnx'), providers=providers)
    feed = {k: np.array(case[k], dtype=np.int64) for k in ('input_ids', 'attention_mask', 'labels')}
    (onnx_loss,) = session.run(['loss'], feed)
    compare(case, f'onnx ({session.get_providers()[0]}) vs peft', onnx_loss.tolist(), adapter_hf)
    print(f"{'':<22} {time.time() - t0:.1f}s")

(Path(sys.argv[2]) / 'device-check.json').write_text(json.dumps(report, indent=1))
print(f'{len(report) - failures} passed, {failures} failed')
sys.exit(1 if failures else 0)
