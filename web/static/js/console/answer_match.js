// Which predefined answers fit a text (the Find knowledge panel's search box, or the
// visitor's latest question): the words of the text found in an answer's title, shortcut
// and text, the title counting most. Pure: no DOM, no fetch.

const MIN_WORD = 3;
const STOP = new Set([
  "the", "and", "for", "are", "you", "your", "can", "what", "when", "how", "does", "have",
  "with", "this", "that", "from", "there", "any", "our", "not", "but", "was", "will", "would",
  "could", "please", "hello", "thanks", "thank", "still", "just", "about", "like", "into",
]);

/** The distinct words of `text` worth matching: lower case, letters and digits, 3+ long. */
export function words(text) {
  const found = String(text).toLowerCase().match(/[\p{L}\p{N}]+/gu) || [];
  return [...new Set(found.filter((w) => w.length >= MIN_WORD && !STOP.has(w)))];
}

/** A word of the text matches a word of the answer that starts with it, or that it starts with
 * (from 4 letters: "ship" / "shipping", "returns" / "return"). */
function hits(word, answerWords) {
  return answerWords.some((a) => a === word || (Math.min(a.length, word.length) >= 4 && (a.startsWith(word) || word.startsWith(a))));
}

/**
 * The answers fitting `text`, best first, at most `limit`: a title or shortcut word counts 3,
 * a word of the text 1; a shortcut typed as such ("hours" or "/hours") comes first.
 */
export function rankAnswers(answers, text, limit = 3) {
  const wanted = words(text);
  const typed = String(text).trim().replace(/^\//, "").toLowerCase();
  if (!wanted.length && !typed) return [];
  const scored = [];
  answers.forEach((answer, order) => {
    const head = words(`${answer.title} ${answer.shortcut || ""}`);
    const body = words(answer.text);
    let score = 0;
    for (const word of wanted) {
      if (hits(word, head)) score += 3;
      else if (hits(word, body)) score += 1;
    }
    if (answer.shortcut && answer.shortcut.toLowerCase() === typed) score += 100;
    if (score > 0) scored.push({ answer, score, order });
  });
  scored.sort((a, b) => b.score - a.score || a.order - b.order);
  return scored.slice(0, limit).map((s) => s.answer);
}
