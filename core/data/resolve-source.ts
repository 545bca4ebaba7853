// One entry point for "where is the data": `hf:` ids go to the Hub, everything else is a local path.
import { type HubSourceOptions, resolveHubSource } from './hub-source.ts';
import { type DatasetSource, resolveLocalSource } from './source.ts';

export function resolveSource(location: string, options: HubSourceOptions = {}): Promise<DatasetSource> {
  return location.startsWith('hf:') ? resolveHubSource(location, options) : resolveLocalSource(location);
}
