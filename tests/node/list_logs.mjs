// Prints, as JSON, what node-appwrite's users.listLogs returns for one user.
// Usage: node list_logs.mjs <endpoint> <project> <key> <userId> [limit]
import { Client, Query, Users } from "node-appwrite";

const [endpoint, project, key, userId, limit] = process.argv.slice(2);
const client = new Client().setEndpoint(endpoint).setProject(project).setKey(key);
const users = new Users(client);
const queries = limit ? [Query.limit(Number(limit))] : [];
try {
  const result = await users.listLogs({ userId, queries });
  console.log(JSON.stringify(result));
} catch (error) {
  console.log(JSON.stringify({ error: { code: error.code, type: error.type, message: error.message } }));
}
