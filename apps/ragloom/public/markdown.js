// A small Markdown renderer for answers that builds DOM nodes and never parses HTML: any tag in the text
// shows as text, so an answer cannot inject markup or script (sanitised by construction). It covers what
// generators write: paragraphs, headings, bullet and numbered lists, fenced code, inline code, **bold**,
// *emphasis*, and http(s) links. Citation markers [n] become buttons through `onCitation`.

const CITATION = /[[【]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】]/g;
const INLINE =
  /(`+)([^`]+?)\1|\*\*([^*]+?)\*\*|__([^_]+?)__|\*([^*\s][^*]*?)\*|\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g;

function appendCitations(parent, text, onCitation) {
  let last = 0;
  for (const match of text.matchAll(CITATION)) {
    parent.append(text.slice(last, match.index));
    for (const n of match[1].split(/[,，、]/).map((s) => Number.parseInt(s, 10)))
      parent.append(onCitation(n));
    last = match.index + match[0].length;
  }
  parent.append(text.slice(last));
}

/** Inline Markdown of one block into `parent`. */
export function appendInline(parent, text, onCitation) {
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    appendCitations(parent, text.slice(last, m.index), onCitation);
    let el;
    if (m[2] !== undefined) {
      el = document.createElement('code');
      el.textContent = m[2];
    } else if (m[3] !== undefined || m[4] !== undefined) {
      el = document.createElement('strong');
      appendInline(el, m[3] ?? m[4], onCitation);
    } else if (m[5] !== undefined) {
      el = document.createElement('em');
      appendInline(el, m[5], onCitation);
    } else {
      el = document.createElement('a');
      el.href = m[7];
      el.rel = 'noopener noreferrer';
      el.target = '_blank';
      el.textContent = m[6];
    }
    parent.append(el);
    last = m.index + m[0].length;
  }
  appendCitations(parent, text.slice(last), onCitation);
}

/** Renders Markdown `text` into `container` (replacing its children). */
export function renderMarkdown(container, text, onCitation) {
  container.replaceChildren();
  const lines = text.split('\n');
  let paragraph = [];
  let list = null;
  const flush = () => {
    if (paragraph.length > 0) {
      const p = document.createElement('p');
      appendInline(p, paragraph.join(' '), onCitation);
      container.append(p);
      paragraph = [];
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^\s*(```|~~~)\s*([\w+-]*)\s*$/.exec(line);
    if (fence) {
      flush();
      list = null;
      const code = [];
      // An unclosed fence (mid-stream) runs to the end of the text.
      for (i++; i < lines.length && !lines[i].trim().startsWith(fence[1]); i++) code.push(lines[i]);
      const pre = document.createElement('pre');
      const el = document.createElement('code');
      if (fence[2]) el.dataset.language = fence[2];
      el.textContent = code.join('\n');
      pre.append(el);
      container.append(pre);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/.exec(line);
    if (line.trim() === '') {
      flush();
      list = null;
    } else if (heading) {
      flush();
      list = null;
      const h = document.createElement(`h${Math.min(6, heading[1].length + 2)}`);
      appendInline(h, heading[2], onCitation);
      container.append(h);
    } else if (item) {
      flush();
      const tag = item[1] ? 'ul' : 'ol';
      if (!list || list.tagName.toLowerCase() !== tag) {
        list = document.createElement(tag);
        container.append(list);
      }
      const li = document.createElement('li');
      appendInline(li, item[3], onCitation);
      list.append(li);
    } else {
      list = null;
      paragraph.push(line.trim());
    }
  }
  flush();
}
