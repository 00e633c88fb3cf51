// README "Authentication", then "Common Patterns: Pause or resume the queue", as written.
import { OomolTaskClient } from "oomol-cloud-task-sdk";

const client = new OomolTaskClient({
  apiKey: process.env.OOMOL_API_KEY,
  credentials: "include",
  defaultHeaders: {
    "x-client": "my-app",
  },
});

await client.pauseUserQueue();
await client.resumeUserQueue();
await client.setTasksPause(true);
await client.setTasksPause(false);
