// The ragloom chat page: streams answers from /v1/chat/completions (OpenAI SSE format) and shows the
// passages and citations from the "ragloom" extension field. No framework, no build step.
import { renderMarkdown } from './markdown.js';

const $ = (id) => document.getElementById(id);
const messagesEl = $('messages');
const sourcesEl = $('sources');
const sourcesEmpty = $('sources-empty');
const questionEl = $('question');
const sendBtn = $('send');
const stopBtn = $('stop');
const keyForm = $('key-form');
const keyInput = $('key-input');

const state = {
  history: [],
  apiKey: localStorage.getItem('ragloom.apiKey') || '',
  controller: null,
  shown: null, // the answer whose sources are in the panel
};

function showKeyForm() {
  keyForm.hidden = false;
  keyInput.focus();
}

function headers() {
  const h = { 'content-type': 'application/json' };
  if (state.apiKey) h.authorization = `Bearer ${state.apiKey}`;
  return h;
}

async function loadMode() {
  try {
    const res = await fetch('/healthz');
    const health = await res.json();
    $('mode').textContent = `retrieval: ${health.mode.retrieval} · answers: ${health.mode.answer}`;
    // Ask for the key up front when the server needs one, not after a first question fails.
    if (health.auth_required && !state.apiKey) showKeyForm();
  } catch {
    $('mode').textContent = 'server unreachable';
  }
}

function addMessage(role, text) {
  const li = document.createElement('li');
  li.className = `message ${role}`;
  const body = document.createElement('div');
  body.className = 'body';
  body.textContent = text;
  li.append(body);
  messagesEl.append(li);
  li.scrollIntoView({ block: 'end' });
  return li;
}

/** Renders answer text as sanitised Markdown with every [n] as a button that shows passage n. */
function renderAnswer(answer) {
  renderMarkdown(answer.el.querySelector('.body'), answer.text, (n) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'cite';
    button.textContent = `[${n}]`;
    button.dataset.n = String(n);
    button.title = 'Show the source passage';
    button.addEventListener('click', () => showCitation(answer, n));
    return button;
  });
}

function renderSources(answer) {
  state.shown = answer;
  sourcesEl.replaceChildren();
  sourcesEmpty.hidden = answer.passages.length > 0;
  for (const p of answer.passages) {
    const li = document.createElement('li');
    li.className = 'source';
    li.id = `source-${p.number}`;
    const head = document.createElement('header');
    const num = document.createElement('strong');
    num.textContent = `[${p.number}]`;
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = p.label;
    const score = document.createElement('span');
    score.className = 'score';
    score.textContent = p.score.toFixed(3);
    head.append(num, label, score);
    const text = document.createElement('p');
    text.className = 'text';
    text.textContent = p.text;
    li.append(head, text);
    sourcesEl.append(li);
  }
}

/** Highlights passage n and shows exactly what the answer quotes from it (file and line). */
function showCitation(answer, n) {
  if (state.shown !== answer) renderSources(answer);
  for (const el of sourcesEl.querySelectorAll('.source')) {
    el.classList.remove('active');
    el.querySelector('.quote')?.remove();
  }
  const li = document.getElementById(`source-${n}`);
  if (!li) return;
  li.classList.add('active');
  const passage = answer.passages.find((p) => p.number === n);
  const quotes = answer.citations.filter((c) => c.number === n);
  for (const c of quotes) {
    const quote = document.createElement('blockquote');
    quote.className = 'quote';
    const where = document.createElement('div');
    where.className = 'label';
    where.textContent = c.label;
    quote.append(where);
    // Extractive answers quote one sentence; a generated answer cites the whole passage shown above.
    if (c.text !== passage?.text) {
      const text = document.createElement('div');
      text.textContent = c.text;
      quote.append(text);
    }
    li.append(quote);
  }
  const textEl = li.querySelector('.text');
  if (passage && quotes.length > 0) {
    // Mark the quoted sentences inside the passage text.
    textEl.replaceChildren();
    let rest = passage.text;
    for (const q of quotes) {
      const at = rest.indexOf(q.text);
      if (at < 0 || q.text === passage.text) continue;
      textEl.append(rest.slice(0, at));
      const mark = document.createElement('mark');
      mark.textContent = q.text;
      textEl.append(mark);
      rest = rest.slice(at + q.text.length);
    }
    textEl.append(rest);
  }
  // Bring the quoted sentence itself into view (in a long passage it can be far below the passage's top).
  const target = textEl.querySelector('mark') ?? li;
  target.scrollIntoView({ block: 'center' });
}

/** Reads an SSE response body and calls onEvent with each parsed `data:` JSON. */
async function readSse(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut = buffer.indexOf('\n\n');
    while (cut !== -1) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') return;
        onEvent(JSON.parse(data));
      }
      cut = buffer.indexOf('\n\n');
    }
  }
}

async function ask(question) {
  addMessage('user', question);
  const li = addMessage('assistant', '');
  li.setAttribute('aria-busy', 'true');
  const answer = { el: li, text: '', passages: [], citations: [], mode: '' };
  state.controller = new AbortController();
  sendBtn.hidden = true;
  stopBtn.hidden = false;
  try {
    const response = await fetch('/v1/chat/completions', {
      method: 'POST',
      headers: headers(),
      signal: state.controller.signal,
      body: JSON.stringify({
        model: 'ragloom',
        stream: true,
        stream_options: { include_usage: true },
        messages: [...state.history, { role: 'user', content: question }],
      }),
    });
    if (response.status === 401) {
      showKeyForm();
      throw new Error('This server needs an API key: enter it above and ask again.');
    }
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body?.error?.message || `HTTP ${response.status}`);
    }
    await readSse(response, (chunk) => {
      if (chunk.error) throw new Error(chunk.error.message);
      if (chunk.ragloom?.passages) {
        answer.passages = chunk.ragloom.passages;
        answer.mode = chunk.ragloom.mode;
        renderSources(answer);
      }
      if (chunk.ragloom?.citations) answer.citations = chunk.ragloom.citations;
      const delta = chunk.choices?.[0]?.delta?.content;
      if (delta) {
        answer.text += delta;
        renderAnswer(answer);
        li.scrollIntoView({ block: 'end' });
      }
    });
    renderAnswer(answer);
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent =
      answer.mode === 'extractive' ? 'extractive answer: quoted from the sources' : 'generated answer';
    li.append(meta);
    state.history.push({ role: 'user', content: question }, { role: 'assistant', content: answer.text });
  } catch (error) {
    if (error.name === 'AbortError') {
      li.append(
        Object.assign(document.createElement('span'), { className: 'meta', textContent: '(stopped)' }),
      );
    } else {
      li.classList.add('error');
      li.querySelector('.body').textContent = error.message;
    }
  } finally {
    li.removeAttribute('aria-busy');
    li.dataset.done = 'true';
    state.controller = null;
    sendBtn.hidden = false;
    stopBtn.hidden = true;
  }
}

$('ask-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const question = questionEl.value.trim();
  if (!question || state.controller) return;
  questionEl.value = '';
  ask(question);
});
questionEl.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $('ask-form').requestSubmit();
  }
});
stopBtn.addEventListener('click', () => state.controller?.abort());
$('clear').addEventListener('click', () => {
  state.history = [];
  messagesEl.replaceChildren();
  sourcesEl.replaceChildren();
  sourcesEmpty.hidden = false;
});
keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  state.apiKey = keyInput.value.trim();
  localStorage.setItem('ragloom.apiKey', state.apiKey);
  keyForm.hidden = true;
});

loadMode();
