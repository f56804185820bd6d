// Starts the Bluesky reference servers (@atproto/dev-env: PLC, PDS, AppView) on loopback for
// Earshot's tests, prints their addresses as one JSON line on stdout once they answer, and
// stops them when stdin closes or on SIGTERM.
//
// Needs DB_POSTGRES_URL and REDIS_HOST (tests/atproto/with-atproto.sh provides both).
import { TestNetwork } from "@atproto/dev-env";

const network = await TestNetwork.create({
  dbPostgresSchema: "earshot",
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await network.close();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();

console.log(
  JSON.stringify({ pds: network.pds.url, appview: network.bsky.url, plc: network.plc.url }),
);
