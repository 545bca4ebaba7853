// Rendering: a mapped row becomes text — a prompt plus the continuations the model is scored on — by
// the task's Jinja templates (@huggingface/jinja, compiled once per task). The result is still text;
// encode.ts turns it into token ids with the target positions marked.
import { Template } from '@huggingface/jinja';
import { DataError } from './errors.ts';
import type { ChatMessage, MappedRow } from './mapping.ts';
import type { TaskDefinition } from './tasks/definition.ts';

/** A run of text that is either context (not scored) or target (scored, loss counted). */
export interface Segment {
  text: string;
  isTarget: boolean;
}

export type RenderedExample =
  /** Classification and multiple choice: one sequence per candidate; `gold` indexes `candidates`. */
  | { kind: 'candidates'; line: number; prompt: string; candidates: string[]; gold: number }
  /** Generation: the target is teacher-forced in training; `references` score greedy output. */
  | { kind: 'target'; line: number; prompt: string; target: string; references: string[] }
  /** Language modelling: every token of the text after BOS is scored. */
  | { kind: 'text'; line: number; text: string }
  /** Chat: the conversation in the chat template's text, assistant turns marked as targets. */
  | { kind: 'chat'; line: number; segments: Segment[] };

export interface RendererOptions {
  file: string;
  /** The model's chat template; chat tasks fall back to the task's own template without it. */
  chatTemplate?: string;
  /** Special-token strings chat templates refer to (bos_token, eos_token). */
  specialTokens?: { bos_token?: string; eos_token?: string };
}

export type Renderer = (row: MappedRow) => RenderedExample;

export function createRenderer(task: TaskDefinition, options: RendererOptions): Renderer {
  const compile = (
    source: string,
    what: string,
  ): ((variables: Record<string, unknown>, line: number) => string) => {
    let template: Template;
    try {
      template = new Template(source);
    } catch (error) {
      throw new Error(`task "${task.name}": ${what} template does not parse: ${(error as Error).message}`);
    }
    return (variables, line) => {
      try {
        return template.render(variables);
      } catch (error) {
        throw new DataError(
          options.file,
          line,
          undefined,
          `${what} template failed: ${(error as Error).message}`,
        );
      }
    };
  };

  switch (task.type) {
    case 'classification': {
      const prompt = compile(task.template, 'prompt');
      return (row) => ({
        kind: 'candidates',
        line: row.line,
        prompt: prompt(row.values, row.line),
        candidates: [...task.verbalizer],
        gold: row.label ?? -1,
      });
    }
    case 'multiple_choice': {
      const prompt = compile(task.template, 'prompt');
      const candidate = compile(task.candidate, 'candidate');
      return (row) => ({
        kind: 'candidates',
        line: row.line,
        prompt: prompt(row.values, row.line),
        candidates: (row.values.choices as string[]).map((choice) =>
          candidate({ ...row.values, choice }, row.line),
        ),
        gold: row.label ?? -1,
      });
    }
    case 'generation': {
      const prompt = compile(task.template, 'prompt');
      const target = compile(task.target, 'target');
      return (row) => ({
        kind: 'target',
        line: row.line,
        prompt: prompt(row.values, row.line),
        target: target(row.values, row.line),
        references: row.values.answers as string[],
      });
    }
    case 'language_modeling':
      return (row) => ({ kind: 'text', line: row.line, text: row.values.text as string });
    case 'chat': {
      const chat = compile(options.chatTemplate ?? task.fallbackChatTemplate, 'chat');
      const special = options.specialTokens ?? {};
      const render = (messages: ChatMessage[], addGenerationPrompt: boolean, line: number) =>
        chat({ messages, add_generation_prompt: addGenerationPrompt, ...special }, line);
      return (row) => ({
        kind: 'chat',
        line: row.line,
        segments: chatSegments(row.values.messages as ChatMessage[], render, options.file, row.line),
      });
    }
  }
}

/**
 * Splits a rendered conversation into context and assistant segments by rendering it turn by turn:
 * the text an assistant turn adds after the generation prompt is its target. This needs only that the
 * template renders a conversation's prefix as a prefix of its text, which chat templates do.
 */
function chatSegments(
  messages: ChatMessage[],
  render: (messages: ChatMessage[], addGenerationPrompt: boolean, line: number) => string,
  file: string,
  line: number,
): Segment[] {
  const segments: Segment[] = [];
  let cursor = 0;
  for (const [index, message] of messages.entries()) {
    if (message.role !== 'assistant') continue;
    const before = render(messages.slice(0, index), true, line);
    const after = render(messages.slice(0, index + 1), false, line);
    if (before.length < cursor || !after.startsWith(before)) {
      throw new DataError(
        file,
        line,
        'messages',
        `the chat template does not render message ${index} as a continuation of the earlier messages`,
      );
    }
    segments.push(
      { text: before.slice(cursor), isTarget: false },
      { text: after.slice(before.length), isTarget: true },
    );
    cursor = after.length;
  }
  const full = render(messages, false, line);
  if (full.length > cursor) segments.push({ text: full.slice(cursor), isTarget: false });
  return segments.filter((segment) => segment.text.length > 0);
}

/** The prompt/target pair a preview shows for any kind of example. */
export function previewText(example: RenderedExample): { prompt: string; target: string } {
  switch (example.kind) {
    case 'candidates':
      return { prompt: example.prompt, target: example.candidates[example.gold] ?? '' };
    case 'target':
      return { prompt: example.prompt, target: example.target };
    case 'text':
      return { prompt: '', target: example.text };
    case 'chat': {
      const join = (isTarget: boolean) =>
        example.segments
          .filter((segment) => segment.isTarget === isTarget)
          .map((segment) => segment.text)
          .join('');
      return { prompt: join(false), target: join(true) };
    }
  }
}
