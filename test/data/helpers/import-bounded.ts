// Child-process entry for the bounded-memory tests: imports FILE (format FORMAT) through the importer and
// the sst2 column mapper under a small V8 heap limit, then prints {rows, positives, maxRssBytes}. A reader
// that held the file (or all its rows) would die with "heap out of memory" instead of finishing.
import { IssueCollector } from '../../../core/data/errors.ts';
import { readers, type DataFormat } from '../../../core/data/import/formats.ts';
import { createRowMapper } from '../../../core/data/mapping.ts';
import { resolveTask } from '../../../core/data/tasks/registry.ts';

const [format, file] = process.argv.slice(2) as [DataFormat, string];
const task = await resolveTask('sst2');
const mapRow = createRowMapper({ file, task, mapping: { text: 'text', label: 'label' } });
let rows = 0;
let positives = 0;
for await (const row of readers[format](file, { issues: new IssueCollector('fail') })) {
  positives += mapRow(row).label ?? 0;
  rows++;
}
// resourceUsage().maxRSS is in KiB.
process.stdout.write(JSON.stringify({ rows, positives, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
