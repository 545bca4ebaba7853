// Task definitions: the built-ins shipped in resources/tasks/*.json, a user's own task file (any path
// ending in .json), and "classification" built on the fly from a dataset's label names. Every file is
// validated on load; an invalid one is an error naming the file and the field.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { findAppRoot } from '../../app-root.ts';
import { type ClassificationTask, type TaskDefinition, taskDefinitionSchema } from './definition.ts';

// Resolved from the app root, so it holds in the bundled build (out/main) as well as from source.
const builtInTaskDir = path.join(findAppRoot(import.meta.dirname), 'resources', 'tasks');

export async function loadTaskFile(file: string): Promise<TaskDefinition> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`task file ${file}: ${(error as Error).message}`);
  }
  const parsed = taskDefinitionSchema.safeParse(json);
  if (!parsed.success) throw new Error(`task file ${file} is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export async function listBuiltInTasks(dir = builtInTaskDir): Promise<TaskDefinition[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  const tasks = await Promise.all(files.map((name) => loadTaskFile(path.join(dir, name))));
  for (const [index, task] of tasks.entries()) {
    const expected = files[index]?.replace(/\.json$/, '');
    if (task.name !== expected)
      throw new Error(`task file ${files[index]}: "name" is "${task.name}", expected "${expected}"`);
  }
  return tasks;
}

/**
 * A plain classification task over a dataset's own label names: the prompt ends in "Label:" and each
 * label name is the scored word. Used when the data has labels but no built-in task matches it.
 */
function genericClassificationTask(labels: readonly string[]): ClassificationTask {
  return {
    name: 'classification',
    title: 'Classification (generic)',
    type: 'classification',
    fields: {
      text: ['text', 'sentence', 'content'],
      text_pair: ['text_pair', 'sentence2', 'hypothesis'],
      label: ['label'],
    },
    optionalFields: ['text_pair'],
    // Jinja drops the newline after a {% tag %} line end, so the newlines are written as strings.
    template: "{{ text }}{% if text_pair %}{{ '\\n' + text_pair }}{% endif %}{{ '\\n' }}Label:",
    labels: [...labels],
    verbalizer: labels.map((label) => ` ${label}`),
    metrics: ['accuracy', 'macro_f1'],
  };
}

export interface ResolveTaskOptions {
  /** Label names from the dataset (dataset.json), needed by the generic "classification" task. */
  labels?: readonly string[];
}

/** A task by built-in name, by path to a .json definition, or "classification" over given labels. */
export async function resolveTask(
  nameOrFile: string,
  options: ResolveTaskOptions = {},
): Promise<TaskDefinition> {
  if (nameOrFile.endsWith('.json')) return loadTaskFile(nameOrFile);
  if (nameOrFile === 'classification') {
    if (!options.labels || options.labels.length < 2) {
      throw new Error(
        'task "classification" needs the label names (a dataset.json with "labels", or a task file with labels and verbalizer)',
      );
    }
    return genericClassificationTask(options.labels);
  }
  const tasks = await listBuiltInTasks();
  const task = tasks.find((candidate) => candidate.name === nameOrFile);
  if (!task) {
    const names = ['classification', ...tasks.map((candidate) => candidate.name)].sort();
    throw new Error(
      `unknown task "${nameOrFile}"; expected a task file (.json) or one of: ${names.join(', ')}`,
    );
  }
  return task;
}
