// CommonJS with require(): Node 20.19+ and 22.12+ load an ES module this way.
const { InvalidInputError, OomolTaskClient } = require("oomol-cloud-task-sdk")
const { CloudTaskClient } = require("@oomol-cloud-task/effect")

const client = new OomolTaskClient({ apiKey: process.env.OOMOL_API_KEY })
client.getDashboard().then(async (dashboard) => {
  console.log(`require: dashboard ${typeof dashboard.limits}, Effect layer ${typeof CloudTaskClient.layer}`)
  await client.getTask("").catch((error) => console.log(`require: ${error instanceof InvalidInputError}`))
  await client.dispose()
})
