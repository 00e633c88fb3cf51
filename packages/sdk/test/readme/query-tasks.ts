// README "Authentication", then "Common Patterns: Query tasks", as written.
import { OomolTaskClient } from "oomol-cloud-task-sdk";

const client = new OomolTaskClient({
  apiKey: process.env.OOMOL_API_KEY,
  credentials: "include",
  defaultHeaders: {
    "x-client": "my-app",
  },
});

const page = await client.listTasks({
  size: 20,
  status: "running",
  taskType: "user",
});

const latest = await client.getLatestTasks([
  "550e8400-e29b-41d4-a716-446655440022",
  "550e8400-e29b-41d4-a716-446655440023",
]);

const detail = await client.getTask("019234a5-b678-7def-8123-456789abcdef");
const result = await client.getTaskResult("019234a5-b678-7def-8123-456789abcdef");
