import {
  BackoffStrategy,
  type CreateAndWaitResponse,
  type CreateTaskRequest,
  type InProgressTaskStatus,
  RunTaskErrorCode,
  type TaskListItem,
  type TaskListResponse,
  type TaskResultData,
  type TaskResultResponse,
  UploadErrorCode
} from "oomol-cloud-task-sdk"
import { describe, expect, expectTypeOf, it } from "vitest"

describe("the official SDK's values and types", () => {
  it("BackoffStrategy and RunTaskErrorCode have the official values, and their members name types", () => {
    expect(BackoffStrategy).toEqual({ Fixed: "fixed", Exponential: "exp" })
    expect(RunTaskErrorCode).toEqual({ INSUFFICIENT_QUOTA: "INSUFFICIENT_QUOTA", PAYMENT_REQUIRED: "PAYMENT_REQUIRED" })
    expect(Object.keys(UploadErrorCode)).toHaveLength(7)
    expectTypeOf<BackoffStrategy.Fixed>().toEqualTypeOf<"fixed">()
    expectTypeOf<BackoffStrategy>().toEqualTypeOf<"fixed" | "exp">()
    expectTypeOf<RunTaskErrorCode.INSUFFICIENT_QUOTA>().toEqualTypeOf<"INSUFFICIENT_QUOTA">()
  })

  it("responses are writable, as the official types were, so code that pushes to them compiles", () => {
    expectTypeOf<TaskListResponse["tasks"]>().toEqualTypeOf<Array<TaskListItem>>()
    expectTypeOf<TaskResultData>().toEqualTypeOf<Array<{ [key: string]: unknown }>>()
    const page: TaskListResponse = { tasks: [], nextToken: null }
    page.nextToken = "next"
    expect(page.tasks.push).toBeTypeOf("function")
  })

  it("TaskResultResponse<T> is the official union, with resultData typed by T", () => {
    type R = TaskResultResponse<{ pages: number }>
    expectTypeOf<Extract<R, { status: "success" }>["resultData"]>().toEqualTypeOf<{ pages: number } | undefined>()
    expectTypeOf<Extract<R, { status: "failed" }>["error"]>().toEqualTypeOf<string | null>()
    expectTypeOf<Extract<R, { progress: number }>["status"]>().toEqualTypeOf<InProgressTaskStatus>()
    expectTypeOf<CreateAndWaitResponse["result"]>().toEqualTypeOf<TaskResultResponse>()
  })

  it("CreateTaskRequest keeps the legacy fields and the literal type", () => {
    const request: CreateTaskRequest = {
      type: "serverless",
      packageName: "p",
      packageVersion: "1",
      blockName: "b",
      inputValues: { a: 1 },
      webhookUrl: "https://hook",
      metadata: { k: "v" }
    }
    expect(request.type).toBe("serverless")
  })
})
