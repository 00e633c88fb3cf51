// README "Authentication", a task to wait for, then "Error Handling", as written.
import { OomolTaskClient } from "oomol-cloud-task-sdk";

const client = new OomolTaskClient({
  apiKey: process.env.OOMOL_API_KEY,
  credentials: "include",
  defaultHeaders: {
    "x-client": "my-app",
  },
});

// Not in the README: the task the snippet waits for (the test makes it fail).
const { taskID } = await client.createTask({
  packageName: "@oomol/out-of-credit",
  packageVersion: "1.0.0",
  blockName: "main",
});

import {
  ApiError,
  RunTaskErrorCode,
  TaskFailedError,
  TimeoutError,
  UploadError,
} from "oomol-cloud-task-sdk";

try {
  const result = await client.awaitResult(taskID, { timeoutMs: 60_000 });
  console.log(result);
} catch (error) {
  if (error instanceof TaskFailedError) {
    console.error(error.taskID, error.code, error.statusCode, error.message, error.detail);
  } else if (error instanceof TimeoutError) {
    console.error(error.message);
  } else if (error instanceof ApiError) {
    console.error(error.status, error.body);
  } else if (error instanceof UploadError) {
    console.error(error.statusCode, error.code, error.message);
  }
}

console.log(RunTaskErrorCode.INSUFFICIENT_QUOTA);
