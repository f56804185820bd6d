// Starts the Bluesky reference servers (@atproto/dev-env: PLC, PDS, AppView) on loopback for
// Earshot's tests, with the chat test service (chat.mjs) behind the PDS, prints their
// addresses as one JSON line on stdout once they answer, and stops them when stdin closes or
// on SIGTERM.
//
// Needs DB_POSTGRES_URL and REDIS_HOST (tests/atproto/with-atproto.sh provides both).
import { TestNetwork } from "@atproto/dev-env";

import { startChatService } from "./chat.mjs";

const network = await TestNetwork.create({
  dbPostgresSchema: "earshot",
});

const chat = await startChatService({ plcUrl: network.plc.url, appviewUrl: network.bsky.url });

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await chat.stop();
  await network.close();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();

console.log(
  JSON.stringify({
    pds: network.pds.url,
    appview: network.bsky.url,
    plc: network.plc.url,
    chat: chat.url,
    chatDid: chat.did,
  }),
);
