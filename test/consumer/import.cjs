// CommonJS on any Node 20: the packages are ES modules, so load them with import().
async function main() {
  const { OomolTaskClient } = await import("oomol-cloud-task-sdk")
  const client = new OomolTaskClient({ apiKey: process.env.OOMOL_API_KEY })
  const { taskID } = await client.createTask({ packageName: "@oomol/echo", packageVersion: "1.0.0", blockName: "main" })
  console.log(`import: ${(await client.getTask(taskID)).taskID === taskID}`)
  await client.dispose()
}
main()
