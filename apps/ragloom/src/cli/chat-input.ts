/** What a line typed into `ragloom chat` asks for. */
export type ChatInput =
  | { readonly kind: 'empty' }
  | { readonly kind: 'help' }
  | { readonly kind: 'clear' }
  | { readonly kind: 'exit' }
  | { readonly kind: 'unknown-command'; readonly command: string }
  | { readonly kind: 'question'; readonly text: string };

export const CHAT_HELP = [
  'Commands:',
  '  /help    this list',
  '  /clear   forget the conversation',
  '  /exit    quit (also /quit, Ctrl-D, or Ctrl-C at the prompt)',
  'Anything else is a question. Ctrl-C while an answer is written stops it.',
].join('\n');

/**
 * Reads one chat line: a `/word` is a command, never sent as a question (a mistyped `/hepl` gets the list
 * of commands, not an answer). `//text` sends `/text` as a question.
 */
export function parseChatInput(line: string): ChatInput {
  const text = line.trim();
  if (text === '') return { kind: 'empty' };
  if (text.startsWith('//')) return { kind: 'question', text: text.slice(1) };
  const command = /^\/(\S+)$/.exec(text)?.[1]?.toLowerCase();
  if (command === undefined) return { kind: 'question', text };
  if (command === 'help' || command === '?') return { kind: 'help' };
  if (command === 'clear') return { kind: 'clear' };
  if (command === 'exit' || command === 'quit') return { kind: 'exit' };
  return { kind: 'unknown-command', command: `/${command}` };
}
