// datasets.tasks over core/data's built-in task definitions (resources/tasks).
import type { Handlers } from '../../api/methods.ts';
import { listBuiltInTasks } from '../../data/tasks/registry.ts';

export function datasetHandlers(): Pick<Handlers, 'datasets.tasks'> {
  return {
    'datasets.tasks': async () => {
      const tasks = await listBuiltInTasks();
      return {
        tasks: [
          { id: 'classification', label: 'Classification (labels from the data)', kind: 'classification' },
          ...tasks.map((task) => ({
            id: task.name,
            label: `${task.name} (${task.type.replace('_', ' ')})`,
            kind: task.type,
          })),
        ],
      };
    },
  };
}
