// Words for an account's read back (Accounts → Read back further): pure, tested on their own.
import type { HistoryProgress, ReadBack } from "./backend";

export type ReadBackChoice = "30" | "90" | "everything";

export function readBackOf(choice: ReadBackChoice): ReadBack {
  return choice === "everything" ? { kind: "everything" } : { kind: "days", days: Number(choice) };
}

function goalWords(readBack: ReadBack): string {
  return readBack.kind === "everything" ? "everything the server gives" : `${readBack.days} days`;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "Reading back 30 days: 120 of your posts, 45 addressed to you — back to 14 Oct." */
export function historyWords(progress: HistoryProgress, locale?: string): string {
  const read = `${progress.answersRead} of your posts, ${count(progress.itemsRead, "post addressed to you", "posts addressed to you")}`;
  const reached = progress.reached
    ? ` — back to ${new Date(progress.reached).toLocaleDateString(locale, { day: "numeric", month: "short", year: "numeric" })}`
    : "";
  const goal = goalWords(progress.readBack);
  switch (progress.state) {
    case "answers":
      return `Reading back ${goal}: your own posts first (${progress.answersRead} so far${reached}).`;
    case "inbox":
      return `Reading back ${goal}: ${read}${reached}.`;
    case "done":
      return `Read back ${goal}: ${read}.`;
    case "cancelled":
      return `Reading back ${goal} was cancelled after ${read}; what was read stays.`;
    case "failed":
      return `Reading back ${goal} stopped: ${progress.error ?? "the server did not answer"}. What was read stays; try again.`;
  }
}

export function isReading(progress: HistoryProgress | null): boolean {
  return progress?.state === "answers" || progress?.state === "inbox";
}
