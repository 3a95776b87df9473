import { Template } from '@huggingface/jinja';
import { type ChatMessage, RagloomError } from '@ragloom/core';
import type { JsonObject } from '@ragloom/onnx-model';

/** Turns a conversation into the prompt text the model was trained on. */
export interface ChatTemplate {
  /** `model`: tokenizer_config.json's template; `custom`: one you passed; `plain`: no template (see below). */
  readonly kind: 'model' | 'custom' | 'plain';
  render(messages: readonly ChatMessage[]): string;
  /**
   * Whether the tokenizer should add its special tokens (BOS) around the rendered text. Chat templates write
   * them themselves (`{{ bos_token }}`), so only the plain fallback asks for them, as transformers.js does.
   */
  readonly addSpecialTokens: boolean;
}

/** A Jinja chat template, a function, or 'plain' to ignore the model's template. */
export type ChatTemplateOption = string | ((messages: readonly ChatMessage[]) => string) | 'plain';

const SPECIAL_TOKEN_KEYS = [
  'bos_token',
  'eos_token',
  'unk_token',
  'sep_token',
  'pad_token',
  'cls_token',
  'mask_token',
];

function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { content?: unknown }).content === 'string'
  ) {
    return (value as { content: string }).content;
  }
  return undefined;
}

/**
 * The plain fallback for models without a chat template (base / completion models such as stories260k): the
 * messages' contents joined by blank lines, so a single user message is the prompt verbatim.
 */
export function renderPlainPrompt(messages: readonly ChatMessage[]): string {
  return messages.map((m) => m.content).join('\n\n');
}

/** The template text in tokenizer_config.json: a string, or a list of named templates (the `default` one). */
function modelTemplateSource(tokenizerConfig: JsonObject): string | undefined {
  const value = tokenizerConfig.chat_template;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const named = value as Array<{ name?: unknown; template?: unknown }>;
    const template = named.find((t) => t.name === 'default')?.template;
    return typeof template === 'string' ? template : undefined;
  }
  return undefined;
}

function compile(source: string, where: string): Template {
  try {
    return new Template(source);
  } catch (error) {
    throw new RagloomError(
      'MODEL_INVALID',
      `the chat template in ${where} does not parse: ${(error as Error).message}`,
      {
        cause: error,
        details: { file: where },
      },
    );
  }
}

/**
 * Builds the chat template of a model, rendered with @huggingface/jinja and the same variables as transformers
 * (`messages`, `add_generation_prompt: true`, the special tokens, `raise_exception`, `strftime_now`).
 */
export function createChatTemplate(
  tokenizerConfig: JsonObject,
  option?: ChatTemplateOption,
  where = 'tokenizer_config.json',
): ChatTemplate {
  if (typeof option === 'function') return { kind: 'custom', render: option, addSpecialTokens: false };
  const source = option === 'plain' ? undefined : (option ?? modelTemplateSource(tokenizerConfig));
  if (source === undefined) return { kind: 'plain', render: renderPlainPrompt, addSpecialTokens: true };
  const template = compile(source, option === undefined ? where : 'the chatTemplate option');
  const specialTokens: Record<string, string> = {};
  for (const key of SPECIAL_TOKEN_KEYS) {
    const text = tokenText(tokenizerConfig[key]);
    if (text !== undefined) specialTokens[key] = text;
  }
  return {
    kind: option === undefined ? 'model' : 'custom',
    addSpecialTokens: false,
    render(messages) {
      try {
        return template.render({
          ...specialTokens,
          messages: messages.map((m) => ({ role: m.role, content: m.content })),
          add_generation_prompt: true,
        });
      } catch (error) {
        // Templates reject conversations they cannot express (e.g. roles that do not alternate).
        throw new RagloomError(
          'INVALID_ARGUMENT',
          `the chat template rejected the messages: ${(error as Error).message}`,
          {
            cause: error,
            details: { field: 'messages' },
          },
        );
      }
    },
  };
}
