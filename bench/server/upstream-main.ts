/** The benchmark's upstream as a process of its own: prints its base URL, serves until killed. */
import { startOpenAiUpstream } from "./openai-upstream.js";

const upstream = await startOpenAiUpstream({ record: false });
console.log(upstream.baseUrl);
process.on("SIGTERM", () => {
  void upstream.close().then(() => process.exit(0));
});
