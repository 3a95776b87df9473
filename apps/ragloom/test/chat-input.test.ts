import { describe, expect, it } from 'vitest';
import { parseChatInput } from '../src/cli/chat-input.js';

describe('chat input', () => {
  it('reads commands, never sending one as a question', () => {
    expect(parseChatInput('  ')).toEqual({ kind: 'empty' });
    expect(parseChatInput('/help')).toEqual({ kind: 'help' });
    expect(parseChatInput('/?')).toEqual({ kind: 'help' });
    expect(parseChatInput(' /CLEAR ')).toEqual({ kind: 'clear' });
    expect(parseChatInput('/exit')).toEqual({ kind: 'exit' });
    expect(parseChatInput('/quit')).toEqual({ kind: 'exit' });
    expect(parseChatInput('/hepl')).toEqual({ kind: 'unknown-command', command: '/hepl' });
  });

  it('sends everything else as a question, and //text as /text', () => {
    expect(parseChatInput(' What is /etc/hosts? ')).toEqual({
      kind: 'question',
      text: 'What is /etc/hosts?',
    });
    expect(parseChatInput('/etc/hosts format')).toEqual({ kind: 'question', text: '/etc/hosts format' });
    expect(parseChatInput('//help')).toEqual({ kind: 'question', text: '/help' });
  });
});
