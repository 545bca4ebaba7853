// The task definition format of resources/tasks/*.json (and of user-written tasks), validated with zod.
// A task says which fields it reads (each with the dataset columns that may hold it, first match wins),
// how a row becomes a prompt (a Jinja template, @huggingface/jinja), what the model is scored on, and
// which metrics report it (the first is the headline metric). Jinja drops a template's final newline
// and whitespace before a leading {% tag %}, so templates that end in a newline write {{ '\n' }}.
import { z } from 'zod';

export const metricNames = ['accuracy', 'macro_f1', 'f1', 'exact_match', 'perplexity'] as const;
export type MetricName = (typeof metricNames)[number];

/** Canonical field → dataset columns that may hold it, in order of preference. */
const fieldsSchema = z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/), z.array(z.string().min(1)).min(1));

const base = {
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, "-" and "_"'),
  title: z.string().min(1),
  description: z.string().optional(),
  /** Where the template and verbalizer come from (paper / repository file), for users who compare. */
  source: z.string().optional(),
  fields: fieldsSchema,
  /** Fields that may be absent from the data (their template variable is then empty). */
  optionalFields: z.array(z.string()).default([]),
  metrics: z.array(z.enum(metricNames)).min(1),
};

/** One sequence per label word; the label word (with its leading space) is the scored continuation. */
const classificationTaskSchema = z
  .object({
    ...base,
    type: z.literal('classification'),
    template: z.string().min(1),
    /** Label names as the data writes them (index i ↔ label value i). */
    labels: z.array(z.string().min(1)).min(2),
    /** The word scored for each label, aligned with `labels`; several tokens are fine. */
    verbalizer: z.array(z.string().min(1)).min(2),
  })
  .refine((task) => task.labels.length === task.verbalizer.length, {
    message: '"verbalizer" needs one word per entry of "labels"',
    path: ['verbalizer'],
  })
  .refine((task) => 'label' in task.fields, {
    message: 'a classification task maps a "label" field',
    path: ['fields'],
  });

/** One sequence per choice; `candidate` renders a choice (variable `choice`) as the scored continuation. */
const multipleChoiceTaskSchema = z
  .object({
    ...base,
    type: z.literal('multiple_choice'),
    template: z.string().min(1),
    candidate: z.string().min(1),
  })
  .refine((task) => 'choices' in task.fields, {
    message: 'a multiple-choice task maps a "choices" field',
    path: ['fields'],
  });

/** Teacher-forced target for training; greedy decoding scored against all `answers` at evaluation. */
const generationTaskSchema = z
  .object({
    ...base,
    type: z.literal('generation'),
    template: z.string().min(1),
    target: z.string().min(1),
    /** New tokens generated at evaluation. */
    maxNewTokens: z.number().int().positive().default(32),
  })
  .refine((task) => 'answers' in task.fields, {
    message: 'a generation task maps an "answers" field',
    path: ['fields'],
  });

/** Raw text: BOS + text, every token after BOS scored. */
const languageModelingTaskSchema = z.object({ ...base, type: z.literal('language_modeling') });

/** Conversations rendered with the model's chat template; only assistant turns are scored. */
const chatTaskSchema = z.object({
  ...base,
  type: z.literal('chat'),
  /** Used when the model ships no chat template. */
  fallbackChatTemplate: z.string().min(1),
});

export const taskDefinitionSchema = z.discriminatedUnion('type', [
  classificationTaskSchema,
  multipleChoiceTaskSchema,
  generationTaskSchema,
  languageModelingTaskSchema,
  chatTaskSchema,
]);

export type TaskDefinition = z.infer<typeof taskDefinitionSchema>;
export type ClassificationTask = z.infer<typeof classificationTaskSchema>;
