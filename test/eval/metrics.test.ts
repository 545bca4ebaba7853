// Metrics against hand-computed values and the official SQuAD v1.1 evaluation rules.
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  exactMatch,
  macroF1,
  normalizeAnswer,
  perplexity,
  tokenF1,
} from '../../core/eval/metrics.ts';

describe('classification metrics', () => {
  it('accuracy and macro-F1', () => {
    const gold = [0, 0, 1, 1, 2, 2];
    const predicted = [0, 1, 1, 1, 2, 0];
    expect(accuracy(predicted, gold)).toBeCloseTo(4 / 6, 12);
    // Per class F1: c0 2·1/(2+2)=0.5, c1 2·2/(3+2)=0.8, c2 2·1/(1+2)=2/3.
    expect(macroF1(predicted, gold, 3)).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
    // A class neither present nor predicted does not drag the mean down.
    expect(macroF1([0, 1], [0, 1], 5)).toBe(1);
    expect(() => accuracy([0], [0, 1])).toThrow('1 predictions for 2 gold labels');
    expect(() => accuracy([], [])).toThrow('no examples to score');
  });
});

describe('SQuAD F1 / exact match', () => {
  it('normalizes like the official script: case, ASCII punctuation, articles, whitespace', () => {
    expect(normalizeAnswer('  The  Denver Broncos!  ')).toBe('denver broncos');
    expect(normalizeAnswer('an apple, a pear')).toBe('apple pear');
    expect(normalizeAnswer('theatre')).toBe('theatre');
  });

  it('takes the best score over the references', () => {
    expect(exactMatch('the Broncos', ['Denver Broncos', 'Broncos'])).toBe(1);
    expect(exactMatch('Denver', ['Denver Broncos'])).toBe(0);
    // 1 common token; precision 1/1, recall 1/2 → F1 2/3.
    expect(tokenF1('Broncos', ['Denver Broncos'])).toBeCloseTo(2 / 3, 12);
    expect(tokenF1('Denver Broncos won', ['Denver Broncos', 'Carolina'])).toBeCloseTo(0.8, 12);
    expect(tokenF1('Carolina Panthers', ['Denver Broncos'])).toBe(0);
    expect(tokenF1('', ['the'])).toBe(1); // both normalize to nothing
  });
});

describe('perplexity', () => {
  it('is exp of the token-weighted mean NLL', () => {
    expect(perplexity(Math.log(4) * 10, 10)).toBeCloseTo(4, 12);
    expect(() => perplexity(1, 0)).toThrow('no scored tokens');
  });
});
