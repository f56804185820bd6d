// The Report screen's words and periods: pure functions, tested on their own.
import type { Report } from "./backend";

export type PeriodChoice = "7" | "30" | "90" | "custom" | "event";

/** A date as `YYYY-MM-DD` in local time. */
export function isoDay(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** The last `days` days, today included. */
export function lastDays(days: number, today = new Date()): { from: string; to: string } {
  const from = new Date(today);
  from.setDate(from.getDate() - (days - 1));
  return { from: isoDay(from), to: isoDay(today) };
}

/** "12 min", "3 h", "2 days". */
export function minutesWords(minutes: number | null): string {
  if (minutes === null) return "—";
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} days`;
}

/** "4 people would have hung up on you". */
export function headline(report: Report): string {
  const n = report.peopleHungUp;
  if (n === 0) return "Nobody would have hung up on you";
  return n === 1 ? "1 person would have hung up on you" : `${n} people would have hung up on you`;
}

/** "83 %", or "—" when nothing has been decided yet. */
export function rateWords(rate: number | null): string {
  return rate === null ? "—" : `${Math.round(rate * 100)} %`;
}

/** Whether the period holds anything at all to report. */
export function isEmpty(report: Report): boolean {
  const o = report.outcomes;
  return o.inTime + o.late + o.hanging + o.waiting + o.noReplyNeeded === 0 && report.published === 0 && report.heard.heard === 0;
}

export const distributionLabels = ["under 5 min", "under 1 h", "under 4 h", "under 24 h", "later", "never"];

/** Weekdays as the Report's grids hold them: Monday first. */
export const weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

export interface HourCell {
  day: string;
  hour: number;
  count: number;
  /** The count against the busiest hour, for the cell's shade (0 for none). */
  share: number;
}

/** A weekday × hour grid as cells for a heat map. */
export function hourCells(grid: number[][]): HourCell[] {
  const most = Math.max(0, ...grid.flat());
  return grid.flatMap((hours, d) =>
    hours.map((count, hour) => ({
      day: weekdays[d] ?? "",
      hour,
      count,
      share: most === 0 || count === 0 ? 0.04 : 0.15 + (0.85 * count) / most,
    })),
  );
}
