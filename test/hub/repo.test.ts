import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HubError } from '../../core/hub/errors.ts';
import { checkRepoId, hubHeaders, localPath, repoCacheDir, resolveUrl } from '../../core/hub/repo.ts';

const saved = { HF_ENDPOINT: process.env.HF_ENDPOINT, HF_TOKEN: process.env.HF_TOKEN };
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('Hub URLs and cache paths', () => {
  it('builds resolve URLs for models and datasets, escaping path segments and revisions', () => {
    delete process.env.HF_ENDPOINT;
    expect(resolveUrl({ kind: 'model', id: 'gpt2' }, 'config.json')).toBe(
      'https://huggingface.co/gpt2/resolve/main/config.json',
    );
    process.env.HF_ENDPOINT = 'http://mirror.local:8080/';
    expect(
      resolveUrl(
        { kind: 'dataset', id: 'stanfordnlp/sst2', revision: 'refs/convert/parquet' },
        'a b/0.parquet',
      ),
    ).toBe(
      'http://mirror.local:8080/datasets/stanfordnlp/sst2/resolve/refs%2Fconvert%2Fparquet/a%20b/0.parquet',
    );
  });

  it('sends HF_TOKEN only when set', () => {
    delete process.env.HF_TOKEN;
    expect(hubHeaders()).toEqual({});
    process.env.HF_TOKEN = 'hf_x';
    expect(hubHeaders()).toEqual({ authorization: 'Bearer hf_x' });
  });

  it('keeps each repo revision in its own cache folder', () => {
    expect(repoCacheDir('/cache', { kind: 'model', id: 'karpathy/stories260k' })).toBe(
      path.join('/cache', 'models--karpathy--stories260k', 'main'),
    );
    expect(repoCacheDir('/cache', { kind: 'dataset', id: 'a/b', revision: 'refs/pr/1' })).toBe(
      path.join('/cache', 'datasets--a--b', 'refs--pr--1'),
    );
  });

  it('refuses file paths that leave the download folder', () => {
    const repo = { kind: 'model' as const, id: 'evil/repo' };
    expect(localPath('/cache/x', repo, 'onnx/model.onnx')).toBe(path.join('/cache/x', 'onnx', 'model.onnx'));
    for (const file of ['../outside.json', '/etc/passwd', 'a/../../b']) {
      expect(() => localPath('/cache/x', repo, file)).toThrow(HubError);
    }
  });

  it.each(['', 'a/b/c', '../x', 'a/..', 'owner/na me', '-flag'])('rejects the repo id %j', (id) => {
    expect(() => checkRepoId(id)).toThrow(/is not a Hub repo id; expected owner\/name/);
  });

  it.each(['gpt2', 'karpathy/stories260k', 'Qwen/Qwen2.5-0.5B', 'HuggingFaceTB/SmolLM2-135M'])(
    'accepts %s',
    (id) => {
      expect(() => checkRepoId(id)).not.toThrow();
    },
  );
});
