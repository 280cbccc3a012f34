// Real JS clients against a running idefics4j server (NodeClientsTest runs it with NODE_PATH pointing at a
// node_modules folder holding @huggingface/inference 4.x and openai 6.x). Prints one JSON object.
// Usage: node node-clients.cjs BASE_URL PROMPT MODEL
const { InferenceClient } = require("@huggingface/inference");
const OpenAI = require("openai");

async function main() {
  const [base, prompt, model] = process.argv.slice(2);
  const out = {};
  const hf = new InferenceClient("hf_unused", { endpointUrl: base });
  const parameters = { max_new_tokens: 10, temperature: 0 };
  out.textGeneration = (await hf.textGeneration({ inputs: prompt, parameters })).generated_text;
  let streamed = "";
  for await (const chunk of hf.textGenerationStream({ inputs: prompt, parameters })) {
    streamed += chunk.choices[0].text;
  }
  out.textGenerationStream = streamed;
  const openai = new OpenAI({ baseURL: base + "/v1", apiKey: "unused", maxRetries: 0 });
  out.modelsRetrieve = (await openai.models.retrieve(model)).id;
  out.completion = (await openai.completions.create({ model, prompt, max_tokens: 10, temperature: 0 }))
    .choices[0].text;
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(String(e && e.stack || e));
  process.exit(1);
});
