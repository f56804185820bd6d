// The one door from the UI to Rust. Components call these functions, never `invoke` by name:
// the generated bindings keep names and types in step with the Rust commands.
import { commands, type ErrorCode, type IpcError } from "./bindings";

export type { Account, AppStatus, Draft, DraftId, KeyringStatus, SignedIn } from "./bindings";

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
  addBlueskyAccount: (identifier: string, appPassword: string, service: string | null) =>
    unwrap(commands.addBlueskyAccount(identifier, appPassword, service)),
  removeAccount: (id: string) => unwrap(commands.removeAccount(id)),
};

/** Words for any failure, for a person: never raw JSON, never a code alone. */
export function describeError(error: unknown): string {
  if (error instanceof BackendError) return error.message;
  if (error instanceof Error && error.message) return `Something went wrong: ${error.message}`;
  if (typeof error === "string" && error) return `Something went wrong: ${error}`;
  return "Something went wrong. Please try again.";
}
