// Rows and threads as the backend sends them, for component tests.
import type { InboxItem, ThreadEntry } from "../lib/backend";

export function item(id: string, text: string, answeredBy: string | null = null): InboxItem {
  return {
    id,
    accountId: "acc1",
    network: "bluesky",
    accountHandle: "alice.test",
    answeredBy,
    state: answeredBy ? "answered" : "owed",
    snoozedUntil: null,
    questionKind: "statement",
    asks: null,
    about: null,
    heardVia: null,
    post: {
      uri: `at://did:plc:bob/app.bsky.feed.post/${id}`,
      cid: `cid-${id}`,
      reason: "reply",
      author: { id: "did:plc:bob", handle: "bob.test", displayName: "Bob" },
      text,
      facets: null,
      createdAt: "2026-11-28T10:00:00Z",
      indexedAt: "2026-11-28T10:00:01Z",
      replyRoot: null,
      replyParent: null,
      subjectUri: null,
      webUrl: `https://bsky.app/profile/did:plc:bob/post/${id}`,
      language: null,
    },
  };
}

export function thread(of: InboxItem): ThreadEntry[] {
  return [
    {
      post: { uri: of.post.uri, cid: of.post.cid },
      place: "focus",
      depth: 0,
      author: of.post.author,
      text: of.post.text,
      createdAt: of.post.createdAt,
      isOwn: false,
      replyCount: 0,
      likeCount: 0,
      repostCount: 0,
      liked: false,
      reposted: false,
      isMessage: false,
    },
  ];
}

/** An account as the Accounts list sends it, synced. */
export function accountView(id: string, network: "bluesky" | "mastodon", handle: string) {
  return {
    account: { id, network, handle, service: "https://example.org", remoteId: id, createdAt: "2026-11-28T10:00:00Z" },
    sync: { state: "synced", lastSyncedAt: null, error: null },
  };
}
