const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Characters as a person counts them: an emoji with a skin tone or "é" as e + accent is one. */
export function countCharacters(text: string): number {
  const segments = graphemes.segment(text)[Symbol.iterator]();
  let count = 0;
  while (!segments.next().done) count++;
  return count;
}

/**
 * A post's length as Mastodon counts it: code points, every link as `perUrl` characters, a
 * remote mention as its local part (`@bob@example.org` counts as `@bob`). Mirrors
 * `earshot_core::richtext::mastodon_length`, which checks again before sending.
 */
export function mastodonLength(text: string, perUrl: number): number {
  return text
    .split(/(\s+)/)
    .map((word) => {
      if (/^\s*$/.test(word)) return [...word].length;
      if (word.startsWith("https://") || word.startsWith("http://")) return perUrl;
      const remote = /^@([^@]+)@.+$/.exec(word);
      if (remote?.[1]) return 1 + [...remote[1]].length;
      return [...word].length;
    })
    .reduce((sum, n) => sum + n, 0);
}

/** "3 min ago", "yesterday", or a date, for list rows. */
export function relativeTime(iso: string, now: Date = new Date()): string {
  const then = new Date(iso);
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days === 1) return "yesterday";
  if (days < 7) return `${days} days ago`;
  return then.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
}

/** The first line of a draft, for its row in the list. */
export function firstLine(body: string): string {
  const line = body.split("\n").find((l) => l.trim() !== "");
  return line?.trim() ?? "";
}

/**
 * The event hashtags a post's first part gains when it goes out: those it does not carry
 * yet, compared without case. Mirrors `earshot_core::event::hashtag_line`.
 */
export function hashtagLine(text: string, hashtags: string[]): string | null {
  const lower = text.toLowerCase();
  const carries = (tag: string) => {
    const needle = `#${tag.toLowerCase()}`;
    let at = lower.indexOf(needle);
    while (at !== -1) {
      const next = lower.slice(at + needle.length).match(/^[\p{L}\p{N}_]/u);
      if (!next) return true;
      at = lower.indexOf(needle, at + 1);
    }
    return false;
  };
  const missing = hashtags.filter((tag) => !carries(tag)).map((tag) => `#${tag}`);
  return missing.length > 0 ? missing.join(" ") : null;
}

/**
 * A post's first part as it goes out: the event's missing hashtags at the end and, on Bluesky
 * (which has no content warnings), the warning first. Mirrors `earshot_core::outgoing_texts`.
 */
export function outgoingFirst(text: string, warning: string, hashtags: string[], bluesky: boolean): string {
  const line = hashtagLine(text, hashtags);
  let out = line ? `${text}\n\n${line}` : text;
  if (bluesky && warning.trim()) out = `CW: ${warning.trim()}\n\n${out}`;
  return out;
}
