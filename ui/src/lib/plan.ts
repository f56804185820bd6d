import { onBackendChange, type PlanStatus } from "./backend";

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
  unknown: "Unknown — check your profile",
};

/**
 * Calls `onPlans` when plans change and `onReplies` when the Inbox does (replies arrive and
 * get answered: the follow-up counts change with it). Returns the unsubscribe function.
 */
export function watchPlans(onPlans: () => void, onReplies: () => void = onPlans): () => void {
  const stopPlans = onBackendChange("plan", onPlans);
  const stopReplies = onBackendChange("inbox", onReplies);
  return () => {
    stopPlans();
    stopReplies();
  };
}

/** What a screen of plans asks of the app: to show Owed (a held post waits for answers), or
 * one reply there, ready to answer. */
export type OwedLinks = {
  onAnswer: () => void;
  onOpenItem: (itemId: string) => void;
};
