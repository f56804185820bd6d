// The one door from the UI to Rust. Components call these functions, never `invoke` by name:
// the generated bindings keep names and types in step with the Rust commands.
import {
  commands,
  events,
  type AccountView_Serialize,
  type ErrorCode,
  type InboxItem_Serialize,
  type IpcError,
  type ReportRequest,
  type Report_Serialize,
  type ReportSettings,
  type KeepPlans,
  type NotificationSettings,
  type OwedQueue_Serialize,
  type PlanSettings,
  type PlannedPost_Serialize,
  type EventDetails,
  type PlanInput_Deserialize,
  type FollowUp_Serialize,
  type ChatSettings,
  type HistoryProgress_Serialize,
  type ReadBack,
  type Snooze,
  type PostRef_Deserialize,
  type SyncView_Serialize,
  type ThreadEntry_Serialize,
  type HeardList_Serialize,
  type HeardSettings,
  type EventListening_Deserialize,
  type Event_Serialize,
  type GuideProgress_Serialize,
} from "./bindings";

export type { Account, AppStatus, BackupView, Draft, DraftId, KeyringStatus } from "./bindings";
export type { KeepPlans, MastodonSignIn, Network, PlansOnAccount, SyncState } from "./bindings";
export type { InboxReason, QuestionKind, QuietDay, NotificationSettings, Snooze, ThreadPlace } from "./bindings";

// What Rust sends (its serialised shape), under plain names.
export type AccountView = AccountView_Serialize;
export type SyncView = SyncView_Serialize;
export type InboxItem = InboxItem_Serialize;
export type ThreadEntry = ThreadEntry_Serialize;
export type OwedQueue = OwedQueue_Serialize;
export type PlannedPost = PlannedPost_Serialize;
export type { PlanSettings, PlanStatus, ReplyLimits } from "./bindings";
export type { EventDetails, EventHoldRule, PlanImage, Topic } from "./bindings";
export type Event = Event_Serialize;
export type { ChatSettings, ReportRequest, ReportScope, ReportSettings } from "./bindings";
export type Report = Report_Serialize;
export type HistoryProgress = HistoryProgress_Serialize;
export type { ReadBack } from "./bindings";
export type PlanInput = PlanInput_Deserialize;
export type FollowUp = FollowUp_Serialize;
export type PostRef = PostRef_Deserialize;
export type HeardList = HeardList_Serialize;
export type { HeardAccountSettings, HeardFigures, HeardSettings } from "./bindings";
export type EventListening = EventListening_Deserialize;
export type GuideProgress = GuideProgress_Serialize;

/** A failed command, carrying the stable code and a message written for a person. */
export class BackendError extends Error {
  readonly code: ErrorCode;

  constructor(error: IpcError) {
    super(error.message);
    this.name = "BackendError";
    this.code = error.code;
  }
}

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: IpcError };

async function unwrap<T>(pending: Promise<Result<T>>): Promise<T> {
  const result = await pending;
  if (result.status === "error") throw new BackendError(result.error);
  return result.data;
}

export const backend = {
  appStatus: () => unwrap(commands.appStatus()),
  listDrafts: () => unwrap(commands.listDrafts()),
  createDraft: (body: string) => unwrap(commands.createDraft(body)),
  updateDraft: (id: string, body: string) => unwrap(commands.updateDraft(id, body)),
  deleteDraft: (id: string) => unwrap(commands.deleteDraft(id)),
  restoreDraft: (id: string) => unwrap(commands.restoreDraft(id)),
  sendTestNotification: () => unwrap(commands.sendTestNotification()),
  checkKeyring: () => unwrap(commands.checkKeyring()),
  listAccounts: () => unwrap(commands.listAccounts()),
  readBack: (account: string, readBack: ReadBack) => unwrap(commands.readBack(account, readBack)),
  chatSettings: () => unwrap(commands.chatSettings()),
  saveChatSettings: (settings: ChatSettings) => unwrap(commands.saveChatSettings(settings)),
  cancelReadBack: (account: string) => unwrap(commands.cancelReadBack(account)),
  addBlueskyAccount: (identifier: string, appPassword: string, service: string | null) =>
    unwrap(commands.addBlueskyAccount(identifier, appPassword, service)),
  removeAccount: (id: string, plans: KeepPlans) => unwrap(commands.removeAccount(id, plans)),
  plansOnSignOut: (id: string) => unwrap(commands.plansOnSignOut(id)),
  beginMastodonSignIn: (server: string, pasteCode: boolean) =>
    unwrap(commands.beginMastodonSignIn(server, pasteCode)),
  finishMastodonSignIn: (attempt: string, code: string | null) =>
    unwrap(commands.finishMastodonSignIn(attempt, code)),
  cancelMastodonSignIn: (attempt: string) => unwrap(commands.cancelMastodonSignIn(attempt)),
  syncNow: (id: string) => unwrap(commands.syncNow(id)),
  listInbox: () => unwrap(commands.listInbox()),
  openThread: (id: string) => unwrap(commands.openThread(id)),
  isMessageRequest: (id: string) => unwrap(commands.isMessageRequest(id)),
  acceptMessageRequest: (id: string) => unwrap(commands.acceptMessageRequest(id)),
  declineMessageRequest: (id: string) => unwrap(commands.declineMessageRequest(id)),
  replyLimits: (id: string) => unwrap(commands.replyLimits(id)),
  replyTo: (id: string, text: string) => unwrap(commands.replyTo(id, text)),
  likePost: (account: string, post: PostRef) => unwrap(commands.likePost(account, post)),
  repostPost: (account: string, post: PostRef) => unwrap(commands.repostPost(account, post)),
  listOwed: () => unwrap(commands.listOwed()),
  markDone: (id: string) => unwrap(commands.markDone(id)),
  reopenItem: (id: string) => unwrap(commands.reopenItem(id)),
  snoozeItem: (id: string, until: Snooze) => unwrap(commands.snoozeItem(id, until)),
  notificationSettings: () => unwrap(commands.notificationSettings()),
  saveNotificationSettings: (settings: NotificationSettings) =>
    unwrap(commands.saveNotificationSettings(settings)),
  guideProgress: () => unwrap(commands.guideProgress()),
  saveGuideProgress: (progress: GuideProgress) => unwrap(commands.saveGuideProgress(progress)),
  startAtLogin: () => unwrap(commands.startAtLogin()),
  setStartAtLogin: (enabled: boolean) => unwrap(commands.setStartAtLogin(enabled)),
  openOnWeb: (id: string) => unwrap(commands.openOnWeb(id)),
  report: (request: ReportRequest) => unwrap(commands.report(request)),
  exportReportCsv: (request: ReportRequest) => unwrap(commands.exportReportCsv(request)),
  saveClientReport: (request: ReportRequest, html: string) => unwrap(commands.saveClientReport(request, html)),
  reportSettings: () => unwrap(commands.reportSettings()),
  saveReportSettings: (settings: ReportSettings) => unwrap(commands.saveReportSettings(settings)),
  listBackups: () => unwrap(commands.listBackups()),
  restoreBackup: (day: string) => unwrap(commands.restoreBackup(day)),
  openAccountProfile: (account: string) => unwrap(commands.openAccountProfile(account)),
  postLimits: (accountId: string) => unwrap(commands.postLimits(accountId)),
  listPlanned: () => unwrap(commands.listPlanned()),
  publishAnyway: (id: string) => unwrap(commands.publishAnyway(id)),
  retryPost: (id: string) => unwrap(commands.retryPost(id)),
  planSettings: () => unwrap(commands.planSettings()),
  savePlanSettings: (settings: PlanSettings) => unwrap(commands.savePlanSettings(settings)),
  listEvents: () => unwrap(commands.listEvents()),
  createEvent: (details: EventDetails) => unwrap(commands.createEvent(details)),
  updateEvent: (id: string, details: EventDetails) => unwrap(commands.updateEvent(id, details)),
  deleteEvent: (id: string) => unwrap(commands.deleteEvent(id)),
  addTopic: (event: string, title: string) => unwrap(commands.addTopic(event, title)),
  setTopicCovered: (topic: string, covered: boolean) => unwrap(commands.setTopicCovered(topic, covered)),
  deleteTopic: (topic: string) => unwrap(commands.deleteTopic(topic)),
  eventPosts: (event: string) => unwrap(commands.eventPosts(event)),
  savePlan: (input: PlanInput_Deserialize) => unwrap(commands.savePlan(input)),
  approvePlan: (plan: string) => unwrap(commands.approvePlan(plan)),
  unapprovePlan: (plan: string) => unwrap(commands.unapprovePlan(plan)),
  schedulePlan: (plan: string) => unwrap(commands.schedulePlan(plan)),
  deletePlan: (plan: string) => unwrap(commands.deletePlan(plan)),
  exportEvent: (id: string) => unwrap(commands.exportEvent(id)),
  importEvent: (markdown: string) => unwrap(commands.importEvent(markdown)),
  followUps: (event: string | null) => unwrap(commands.followUps(event)),
  planImages: (plan: string) => unwrap(commands.planImages(plan)),
  listHeard: () => unwrap(commands.listHeard()),
  dismissHeard: (id: string) => unwrap(commands.dismissHeard(id)),
  restoreHeard: (id: string) => unwrap(commands.restoreHeard(id)),
  heardSettings: (account: string) => unwrap(commands.heardSettings(account)),
  saveHeardSettings: (account: string, settings: HeardSettings) =>
    unwrap(commands.saveHeardSettings(account, settings)),
  saveEventListening: (id: string, listening: EventListening_Deserialize) =>
    unwrap(commands.saveEventListening(id, listening)),
  eventHeard: (id: string) => unwrap(commands.eventHeard(id)),
  rememberWindow: (view: string) => commands.rememberWindow(view),
  windowStart: () => commands.windowStart(),
};

/**
 * Calls `refetch` whenever the backend says the Inbox (or the accounts) changed. Events carry
 * ids only; SQLite is the truth, so the handler refetches. Returns the unsubscribe function.
 */
export function onBackendChange(
  what: "inbox" | "accounts" | "owed" | "plan" | "heard",
  refetch: () => void,
): () => void {
  if (what === "plan") return listen(events.planChanged, refetch);
  if (what === "heard") {
    // Answers (from Earshot or elsewhere) arrive as Inbox changes.
    const stopHeard = listen(events.heardChanged, refetch);
    const stopInbox = onBackendChange("inbox", refetch);
    return () => {
      stopHeard();
      stopInbox();
    };
  }
  const event = what === "accounts" ? events.accountChanged : events.inboxChanged;
  const stopOwed = what === "owed" ? listen(events.owedChanged, refetch) : () => {};
  let stop: (() => void) | null = null;
  let stopped = false;
  event
    .listen(() => refetch())
    .then((unlisten) => {
      if (stopped) unlisten();
      else stop = unlisten;
    })
    .catch(() => {
      // Outside Tauri (component tests) there is nothing to listen to.
    });
  return () => {
    stopped = true;
    stop?.();
    stopOwed();
  };
}

type Listenable<T> = { listen: (handler: (event: { payload: T }) => void) => Promise<() => void> };

/** Listens to one backend event until the returned function is called. */
export function listen<T>(event: Listenable<T>, handler: (payload: T) => void): () => void {
  let stop: (() => void) | null = null;
  let stopped = false;
  event
    .listen((e) => handler(e.payload))
    .then((unlisten) => {
      if (stopped) unlisten();
      else stop = unlisten;
    })
    .catch(() => {
      // Outside Tauri (component tests) there is nothing to listen to.
    });
  return () => {
    stopped = true;
    stop?.();
  };
}

/** A network's name for people. */
export function networkName(network: "bluesky" | "mastodon"): string {
  return network === "bluesky" ? "Bluesky" : "Mastodon";
}

/** Words for any failure, for a person: never raw JSON, never a code alone. */
export function describeError(error: unknown): string {
  if (error instanceof BackendError) return error.message;
  if (error instanceof Error && error.message) return `Something went wrong: ${error.message}`;
  if (typeof error === "string" && error) return `Something went wrong: ${error}`;
  return "Something went wrong. Please try again.";
}
