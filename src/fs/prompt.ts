// Questions on the terminal: the confirmations before a deletion or an undo, and the config wizard.
// Every question comes before the change it asks about, so Ctrl-C at a question ends the command
// with git's 130 and nothing changed (not "unexpected error"), and the end of input (Ctrl-D, a
// hangup) is a refusal, exit 9, whatever the question's default (an empty answer is "yes" to the
// config wizard's last question). What is typed ahead (two answers typed at once, or the start of
// the next one) is kept for the next question instead of being dropped with the interface that read it.
import { PassThroughExit } from '../core/errors.js';
import { refusedError } from '../errors.js';

const typedAhead: string[] = [];
/** The unfinished line the last interface held when it closed: the next question starts with it. */
let partialAhead = '';
/** Settles when the last question's interface has closed: closing pauses stdin and leaves raw mode, so the next one opens after it. */
let lastClosed: Promise<void> = Promise.resolve();

export async function askLine(question: string): Promise<string> {
  await lastClosed;
  const early = typedAhead.shift();
  if (early !== undefined) {
    process.stderr.write(`${question}${early}\n`);
    return early;
  }
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  let closed = (): void => undefined;
  lastClosed = new Promise((r) => (closed = r));
  return new Promise<string>((resolve, reject) => {
    let answered = false;
    rl.on('line', (line) => {
      if (answered) {
        typedAhead.push(line);
        return;
      }
      answered = true;
      resolve(line);
      // Closed once the rest of this chunk has been read: its other lines answer the next questions,
      // and what it holds of a line not yet ended starts the next one.
      queueMicrotask(() => {
        partialAhead = rl.line;
        rl.close();
      });
    });
    rl.on('SIGINT', () => {
      answered = true;
      process.stderr.write('\n');
      rl.close();
      reject(new PassThroughExit(130));
    });
    rl.on('close', () => {
      if (!answered) {
        process.stderr.write('\n');
        reject(refusedError('no answer (end of input); nothing was changed'));
      }
      answered = true;
      closed();
    });
    rl.setPrompt(question);
    rl.prompt();
    if (partialAhead) {
      rl.write(partialAhead);
      partialAhead = '';
    }
  });
}
