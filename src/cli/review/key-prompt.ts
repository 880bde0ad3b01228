// A one-key prompt in the habit of `git add -p` with interactive.singleKey: the answer is the key
// pressed, no Enter needed; Enter takes the default; `?` shows what each key does.
import { createPrompt, isEnterKey, useKeypress, useState, type KeypressEvent } from '@inquirer/core';

export interface KeyChoice<K extends string> {
  key: K;
  help: string;
}

export interface KeyPromptConfig<K extends string> {
  message: string;
  choices: KeyChoice<K>[];
  /** Taken on Enter; shown upper-case in brackets like git (`[y,N,…]` is git's, ours marks it with `*`). */
  default: K;
}

/** The character a keypress stands for: readline gives `sequence` ('?', 'A'); tests give `name`. */
export function keyChar(key: KeypressEvent & { sequence?: string }): string {
  if (key.sequence && key.sequence.length === 1 && key.sequence >= ' ') return key.sequence;
  if (key.name === 'space') return ' ';
  if (key.name?.length === 1) return key.shift ? key.name.toUpperCase() : key.name;
  return '';
}

export const keyPrompt = createPrompt<string, KeyPromptConfig<string>>((config, done) => {
  const [answer, setAnswer] = useState<string | null>(null);
  const [note, setNote] = useState<string>('');
  const [showHelp, setShowHelp] = useState(false);
  useKeypress((key, rl) => {
    if (answer !== null) return;
    const ch = isEnterKey(key) ? config.default : keyChar(key);
    rl.clearLine(0);
    if (ch === '?') {
      setShowHelp(!showHelp);
      return;
    }
    const hit = config.choices.find((c) => c.key === ch);
    if (!hit) {
      if (ch) setNote(`${ch} is not one of the keys; ? lists them`);
      return;
    }
    setAnswer(hit.key);
    done(hit.key);
  });
  const keys = [...config.choices.map((c) => `${c.key === ' ' ? 'space' : c.key}${c.key === config.default ? '*' : ''}`), '?'].join(',');
  const line = `${config.message} [${keys}] ${answer ?? ''}`;
  if (answer !== null) return line;
  const lines = [line];
  if (note) lines.push(note);
  if (showHelp) {
    for (const c of config.choices) lines.push(`${c.key === ' ' ? 'space' : c.key} - ${c.help}${c.key === config.default ? ' (Enter)' : ''}`);
    lines.push('? - show or hide this help');
  }
  return lines.join('\n');
});
