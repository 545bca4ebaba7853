// zo-studio command-line entry. Each subcommand lives in ./commands/<name>.ts and exports
// `run(argv: string[]): Promise<number>` (the exit code); it is loaded only when invoked.
const commands: Record<string, string> = {
  model: 'inspect or score a local Hugging Face model folder',
  estimators: 'list the gradient estimators and update rules',
  data: 'preview how a dataset is read, mapped and rendered',
  eval: 'evaluate a model on a dataset',
  train: 'train a run (from a config file or flags)',
  resume: 'resume a run from its last checkpoint',
  runs: 'list, show and compare saved runs',
  export: 'export a run as a PEFT adapter, merged model or ONNX',
  serve: 'serve the studio and its API on localhost',
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, help]) => `  ${name.padEnd(11)} ${help}`);
  return `usage: zo-studio <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name ? 0 : 1;
  }
  if (!(name in commands)) {
    process.stderr.write(`zo-studio: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const module = (await import(`./commands/${name}.ts`)) as { run(argv: string[]): Promise<number> };
  return module.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`zo-studio: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
