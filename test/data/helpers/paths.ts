// Paths to the shared fixtures, resolved from the repository root (never copied into the project).
import path from 'node:path';

export const fixtures = path.resolve(import.meta.dirname, '../../../../shared/fixtures');
export const datasetsDir = path.join(fixtures, 'datasets');
export const modelsDir = path.join(fixtures, 'models');
export const stories260k = path.join(modelsDir, 'stories260k');
