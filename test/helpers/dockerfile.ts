/**
 * A small reader of our Dockerfile, for tests that lint it and replay its build and start
 * commands outside Docker (no Docker engine runs on our machines).
 */
import { readFileSync } from 'node:fs';

/** One instruction: keyword, flags (`--from=build`), arguments (raw text after the flags). */
export interface Instruction {
  readonly keyword: string;
  readonly flags: Readonly<Record<string, string>>;
  readonly args: string;
  /** The stage it belongs to (`AS name`, or the index). */
  readonly stage: string;
  readonly line: number;
}

/** Reads `path` into instructions (continuations joined, comments and blank lines dropped). */
export function readDockerfile(path = 'Dockerfile'): Instruction[] {
  const instructions: Instruction[] = [];
  let stage = '';
  let stages = 0;
  let buffer = '';
  let startLine = 0;
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      if (buffer === '' && (text.trim() === '' || text.trim().startsWith('#'))) return;
      if (buffer === '') startLine = index + 1;
      if (text.endsWith('\\')) {
        buffer += `${text.slice(0, -1)} `;
        return;
      }
      const full = (buffer + text).trim();
      buffer = '';
      const instruction = parse(full, stage, startLine);
      if (instruction.keyword === 'FROM') {
        stage = /\sAS\s+(\S+)$/i.exec(instruction.args)?.[1] ?? String(stages);
        stages += 1;
        instructions.push({ ...instruction, stage });
      } else {
        instructions.push(instruction);
      }
    });
  return instructions;
}

function parse(text: string, stage: string, line: number): Instruction {
  const keyword = text.split(/\s+/)[0] ?? '';
  const flags: Record<string, string> = {};
  let args = text.slice(keyword.length).trim();
  while (args.startsWith('--')) {
    const flag = /^--([\w-]+)(?:=(\S*))?\s*/.exec(args)!;
    flags[flag[1]!] = flag[2] ?? 'true';
    args = args.slice(flag[0].length);
  }
  return { keyword: keyword.toUpperCase(), flags, args, stage, line };
}

/** The JSON (exec) form of CMD, ENTRYPOINT or HEALTHCHECK CMD, or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  const json = args.replace(/^CMD\s+/, '');
  if (!json.startsWith('[')) return undefined;
  return JSON.parse(json) as string[];
}

/** `ENV A=1 B=2` into a map. */
export function envPairs(args: string): Record<string, string> {
  return Object.fromEntries(
    [...args.matchAll(/(\w+)=("[^"]*"|\S+)/g)].map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, '')]),
  );
}
