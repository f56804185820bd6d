// The backend as component tests see it: their own answers per command, with the event
// plugin's listen and unlisten answered here, as every screen calls them.
import { mockIPC } from "@tauri-apps/api/mocks";

/**
 * Answers each command with `answer`; a command it does not answer (returns `undefined`)
 * fails the test. `answer` may throw an `{code, message}` error as the backend does.
 */
export function mockBackend(answer: (cmd: string, args: Record<string, unknown>) => unknown): void {
  mockIPC((cmd, args) => {
    switch (cmd) {
      case "plugin:event|listen":
        return 1;
      case "plugin:event|unlisten":
        return null;
    }
    const reply = answer(cmd, (args ?? {}) as Record<string, unknown>);
    if (reply === undefined) throw new Error(`unexpected command ${cmd}`);
    return reply;
  });
}
