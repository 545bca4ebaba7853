// Handlers whose engine module has not landed yet answer with this error instead of fake data.
import { ApiError } from '../../api/errors.ts';

export function notAvailable(method: string, module: string): () => Promise<never> {
  return () =>
    Promise.reject(
      new ApiError('not_available', `${method} is not available yet: ${module} is not part of this build`),
    );
}
