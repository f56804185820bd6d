import type { PlanStatus } from "./backend";

/** A planned post's status in words, for timelines. */
export const statusWords: Record<PlanStatus, string> = {
  draft: "Draft",
  approved: "Approved",
  scheduled: "Scheduled",
  publishing: "Publishing…",
  published: "Published",
  held: "Held",
  late: "Missed its time",
  failed: "Failed",
};
