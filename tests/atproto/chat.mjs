// A Bluesky chat service for Earshot's tests. The reference servers have none (its code is
// not public), so this one implements the `chat.bsky.convo` methods Earshot uses, behind the
// reference PDS: the PDS resolves its `did:web:localhost%3A<port>` (plain http on localhost,
// as @atproto/identity does) and proxies `atproto-proxy: <did>#bsky_chat` requests to it with
// a service token naming the caller. Every request and every response is validated against
// the official lexicons shipped in @atproto/api, so a drift from the real shapes fails a test
// instead of passing unnoticed.
//
// Rules kept from the real service: a conversation is a request for a member until they
// accept it or write in it; deleting a message is for oneself only; the log is per member,
// in rev order, and `getLog`'s cursor is the last rev seen.
import http from "node:http";
import { randomBytes } from "node:crypto";

import { schemas } from "@atproto/api";
import { Lexicons } from "@atproto/lexicon";

const lexicons = new Lexicons(schemas);
const DEFS = "chat.bsky.convo.defs";

/**
 * Starts the service: `plcUrl` resolves members' handles, `appviewUrl` their display names.
 * Returns its URL, DID and a stop.
 */
export async function startChatService({ plcUrl, appviewUrl }) {
  const state = new ChatState(plcUrl, appviewUrl);
  const server = http.createServer((req, res) => {
    handle(state, req, res).catch((err) => {
      send(res, 500, { error: "InternalServerError", message: String(err?.stack ?? err) });
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  state.url = `http://localhost:${port}`;
  state.did = `did:web:localhost%3A${port}`;
  return {
    url: state.url,
    did: state.did,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

class ChatState {
  constructor(plcUrl, appviewUrl) {
    this.plcUrl = plcUrl;
    this.appviewUrl = appviewUrl;
    this.url = "";
    this.did = "";
    this.convos = new Map();
    this.logs = new Map(); // did → [{ rev, entry }]
    this.handles = new Map();
    this.revs = 0;
    this.ids = 0;
    // Test controls: the next N requests of a caller (by DID) are refused with 429.
    this.rateLimited = new Map();
  }

  nextRev() {
    this.revs += 1;
    return String(this.revs).padStart(16, "0");
  }

  nextId() {
    this.ids += 1;
    return `${String(this.ids).padStart(8, "0")}${randomBytes(4).toString("hex")}`;
  }

  log(did, entry) {
    if (!this.logs.has(did)) this.logs.set(did, []);
    this.logs.get(did).push(entry);
  }

  async handleOf(did) {
    if (!this.handles.has(did)) {
      const doc = await (await fetch(`${this.plcUrl}/${encodeURIComponent(did)}`)).json();
      const aka = (doc.alsoKnownAs ?? []).find((a) => a.startsWith("at://"));
      this.handles.set(did, aka ? aka.slice("at://".length) : "handle.invalid");
    }
    return this.handles.get(did);
  }

  /** A member as the real service shows one: handle, and display name where there is one. */
  async member(did) {
    const member = { did, handle: await this.handleOf(did) };
    try {
      const url = `${this.appviewUrl}/xrpc/app.bsky.actor.getProfile?actor=${encodeURIComponent(did)}`;
      const profile = await (await fetch(url)).json();
      if (profile.displayName) member.displayName = profile.displayName;
    } catch {
      // No profile yet: the handle alone, as for an account that never set a name.
    }
    return member;
  }

  async convoView(convo, viewer) {
    const members = [];
    for (const did of convo.members) members.push(await this.member(did));
    const visible = convo.messages.filter((m) => !m.deletedFor.has(viewer));
    const last = convo.messages.at(-1);
    const readUpTo = convo.readUpTo.get(viewer) ?? "";
    const view = {
      id: convo.id,
      rev: convo.rev,
      members,
      muted: false,
      status: convo.status.get(viewer),
      unreadCount: visible.filter((m) => m.sender !== viewer && m.rev > readUpTo).length,
    };
    if (last) view.lastMessage = { $type: last.deletedFor.has(viewer) ? `${DEFS}#deletedMessageView` : `${DEFS}#messageView`, ...messageView(last, viewer) };
    return view;
  }
}

function messageView(message, viewer) {
  const base = { id: message.id, rev: message.rev, sender: { did: message.sender }, sentAt: message.sentAt };
  if (message.deletedFor.has(viewer)) return base;
  const view = { ...base, text: message.text };
  if (message.facets) view.facets = message.facets;
  return view;
}

function union(message, viewer) {
  const type = message.deletedFor.has(viewer) ? "deletedMessageView" : "messageView";
  return { $type: `${DEFS}#${type}`, ...messageView(message, viewer) };
}

class XrpcError extends Error {
  constructor(status, error, message) {
    super(message);
    this.status = status;
    this.error = error;
  }
}

const METHODS = {
  "chat.bsky.convo.getConvoForMembers": async (state, caller, params) => {
    const members = [...new Set([caller, ...params.members])].sort();
    let convo = [...state.convos.values()].find((c) => c.members.join() === members.join());
    if (!convo) {
      const rev = state.nextRev();
      convo = {
        id: state.nextId(),
        rev,
        members,
        messages: [],
        status: new Map(members.map((did) => [did, did === caller ? "accepted" : "request"])),
        readUpTo: new Map(),
        left: new Set(),
      };
      state.convos.set(convo.id, convo);
      for (const did of members) state.log(did, { $type: `${DEFS}#logBeginConvo`, rev, convoId: convo.id });
    }
    return { convo: await state.convoView(convo, caller) };
  },

  "chat.bsky.convo.listConvos": async (state, caller, params) => {
    const limit = params.limit ?? 50;
    const mine = [...state.convos.values()]
      .filter((c) => c.members.includes(caller) && !c.left.has(caller))
      .filter((c) => !params.status || c.status.get(caller) === params.status)
      .sort((a, b) => (a.rev < b.rev ? 1 : -1))
      .filter((c) => !params.cursor || c.rev < params.cursor);
    const page = mine.slice(0, limit);
    const convos = [];
    for (const convo of page) convos.push(await state.convoView(convo, caller));
    const out = { convos };
    if (mine.length > limit) out.cursor = page.at(-1).rev;
    return out;
  },

  "chat.bsky.convo.getMessages": async (state, caller, params) => {
    const convo = memberConvo(state, caller, params.convoId);
    const limit = params.limit ?? 50;
    const newestFirst = [...convo.messages]
      .reverse()
      .filter((m) => !params.cursor || m.rev < params.cursor);
    const page = newestFirst.slice(0, limit);
    const out = { messages: page.map((m) => union(m, caller)) };
    if (newestFirst.length > limit) out.cursor = page.at(-1).rev;
    return out;
  },

  "chat.bsky.convo.getLog": async (state, caller, params) => {
    const entries = (state.logs.get(caller) ?? []).filter((e) => !params.cursor || e.rev > params.cursor);
    const out = { logs: entries };
    const last = entries.at(-1) ?? null;
    if (last) out.cursor = last.rev;
    else if (params.cursor) out.cursor = params.cursor;
    return out;
  },

  "chat.bsky.convo.sendMessage": async (state, caller, _params, input) => {
    const convo = memberConvo(state, caller, input.convoId);
    const rev = state.nextRev();
    const message = {
      id: state.nextId(),
      rev,
      text: input.message.text,
      facets: input.message.facets,
      sender: caller,
      sentAt: new Date().toISOString(),
      deletedFor: new Set(),
    };
    convo.messages.push(message);
    convo.rev = rev;
    // Writing in a conversation accepts it.
    convo.status.set(caller, "accepted");
    for (const did of convo.members) {
      if (convo.left.has(did)) continue;
      state.log(did, { $type: `${DEFS}#logCreateMessage`, rev, convoId: convo.id, message: union(message, did) });
    }
    return messageView(message, caller);
  },

  "chat.bsky.convo.updateRead": async (state, caller, _params, input) => {
    const convo = memberConvo(state, caller, input.convoId);
    const upTo = input.messageId ? convo.messages.find((m) => m.id === input.messageId) : convo.messages.at(-1);
    if (upTo) convo.readUpTo.set(caller, upTo.rev);
    return { convo: await state.convoView(convo, caller) };
  },

  "chat.bsky.convo.acceptConvo": async (state, caller, _params, input) => {
    const convo = memberConvo(state, caller, input.convoId);
    if (convo.status.get(caller) === "accepted") return {};
    const rev = state.nextRev();
    convo.status.set(caller, "accepted");
    state.log(caller, { $type: `${DEFS}#logAcceptConvo`, rev, convoId: convo.id });
    return { rev };
  },

  "chat.bsky.convo.leaveConvo": async (state, caller, _params, input) => {
    const convo = memberConvo(state, caller, input.convoId);
    const rev = state.nextRev();
    convo.left.add(caller);
    state.log(caller, { $type: `${DEFS}#logLeaveConvo`, rev, convoId: convo.id });
    return { convoId: convo.id, rev };
  },

  "chat.bsky.convo.deleteMessageForSelf": async (state, caller, _params, input) => {
    const convo = memberConvo(state, caller, input.convoId);
    const message = convo.messages.find((m) => m.id === input.messageId);
    if (!message) throw new XrpcError(400, "InvalidRequest", "Message not found");
    message.deletedFor.add(caller);
    const rev = state.nextRev();
    state.log(caller, { $type: `${DEFS}#logDeleteMessage`, rev, convoId: convo.id, message: union(message, caller) });
    return messageView(message, caller);
  },
};

function memberConvo(state, caller, convoId) {
  const convo = state.convos.get(convoId);
  if (!convo || !convo.members.includes(caller) || convo.left.has(caller)) {
    throw new XrpcError(400, "InvalidConvo", "Convo not found");
  }
  return convo;
}

/** Query string values as the method's parameter schema types them. */
function typedParams(nsid, search) {
  const spec = lexicons.getDef(nsid)?.parameters?.properties ?? {};
  const params = {};
  for (const [name, prop] of Object.entries(spec)) {
    const values = search.getAll(name);
    if (values.length === 0) continue;
    if (prop.type === "array") params[name] = values;
    else if (prop.type === "integer") params[name] = Number(values[0]);
    else if (prop.type === "boolean") params[name] = values[0] === "true";
    else params[name] = values[0];
  }
  return params;
}

/** The caller's DID from the PDS's service token, which must be made for this service and method. */
function callerOf(state, req, nsid) {
  const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
  const payload = token.split(".")[1];
  if (!payload) throw new XrpcError(401, "AuthMissing", "Authentication Required");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  if (claims.aud !== state.did) throw new XrpcError(401, "BadJwtAudience", `jwt audience does not match service did: ${claims.aud}`);
  if (claims.lxm !== nsid) throw new XrpcError(401, "BadJwtLexiconMethod", `bad jwt lexicon method ("lxm"): ${claims.lxm}`);
  if (claims.exp && claims.exp * 1000 < Date.now()) throw new XrpcError(401, "JwtExpired", "jwt expired");
  return claims.iss.split("#")[0];
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : undefined;
}

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

async function handle(state, req, res) {
  const url = new URL(req.url, state.url);
  if (url.pathname === "/.well-known/did.json") {
    return send(res, 200, {
      "@context": ["https://www.w3.org/ns/did/v1"],
      id: state.did,
      service: [{ id: "#bsky_chat", type: "BskyChatService", serviceEndpoint: state.url }],
    });
  }
  // Test controls, never reached through the PDS.
  if (url.pathname === "/_test/rate-limit") {
    state.rateLimited.set(url.searchParams.get("did"), Number(url.searchParams.get("count") ?? 1));
    return send(res, 200, {});
  }
  const nsid = url.pathname.replace(/^\/xrpc\//, "");
  const method = METHODS[nsid];
  if (!method) return send(res, 501, { error: "MethodNotImplemented", message: `${nsid} is not implemented here` });
  try {
    const caller = callerOf(state, req, nsid);
    if ((state.rateLimited.get(caller) ?? 0) > 0) {
      state.rateLimited.set(caller, state.rateLimited.get(caller) - 1);
      res.setHeader("ratelimit-limit", "3000");
      res.setHeader("ratelimit-remaining", "0");
      res.setHeader("ratelimit-reset", String(Math.floor(Date.now() / 1000) + 1));
      // Of these, the PDS passes only `retry-after` back through its proxy.
      res.setHeader("retry-after", "1");
      throw new XrpcError(429, "RateLimitExceeded", "Rate Limit Exceeded");
    }
    const params = typedParams(nsid, url.searchParams);
    const def = lexicons.getDef(nsid);
    let input;
    try {
      lexicons.assertValidXrpcParams(nsid, params);
      if (def.type === "procedure") {
        input = await readJson(req);
        lexicons.assertValidXrpcInput(nsid, input);
      }
    } catch (err) {
      throw new XrpcError(400, "InvalidRequest", err.message);
    }
    const output = await method(state, caller, params, input);
    try {
      lexicons.assertValidXrpcOutput(nsid, output);
    } catch (err) {
      // The service broke the lexicon itself: a bug in this test service, said loudly.
      throw new XrpcError(500, "InternalServerError", `output of ${nsid} is invalid: ${err.message}`);
    }
    return send(res, 200, output);
  } catch (err) {
    if (err instanceof XrpcError) return send(res, err.status, { error: err.error, message: err.message });
    throw err;
  }
}
