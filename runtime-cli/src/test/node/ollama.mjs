// Drives slm serve's Ollama API with the official Ollama client (see OllamaNodeClientTest) and
// prints what it saw as one JSON object on stdout. Usage: node ollama.mjs HOST API_KEY
import { Ollama } from 'ollama';

const [host, apiKey] = process.argv.slice(2);
const ollama = new Ollama({ host, headers: { Authorization: `Bearer ${apiKey}` } });
const out = {};
const options = { temperature: 0, num_predict: 12 };
const messages = [{ role: 'user', content: 'Once upon a time' }];

const chat = await ollama.chat({ model: 'stories', messages, options, stream: false });
out.chat = { role: chat.message.role, content: chat.message.content, done: chat.done, reason: chat.done_reason,
  evalCount: chat.eval_count, promptCount: chat.prompt_eval_count };

let streamed = '';
let parts = 0;
let last = null;
for await (const part of await ollama.chat({ model: 'stories', messages, options, stream: true })) {
  streamed += part.message.content;
  parts++;
  last = part;
}
out.chatStream = { content: streamed, parts, done: last.done, evalCount: last.eval_count };

const generated = await ollama.generate({ model: 'stories', prompt: 'Once upon a time', raw: true, options, stream: false });
out.generate = { response: generated.response, done: generated.done, evalCount: generated.eval_count };

let text = '';
for await (const part of await ollama.generate({ model: 'stories', prompt: 'Once upon a time', raw: true, options, stream: true })) {
  text += part.response;
}
out.generateStream = { response: text };

const embedded = await ollama.embed({ model: 'stories-embed', input: ['a cat', 'a dog'] });
out.embed = { count: embedded.embeddings.length, dims: embedded.embeddings[0].length };

out.list = (await ollama.list()).models.map((m) => ({ name: m.name, family: m.details.family, size: m.size }));
const shown = await ollama.show({ model: 'agent' });
out.show = { capabilities: shown.capabilities, family: shown.details.family };
out.ps = (await ollama.ps()).models.map((m) => m.name);

const tools = [{ type: 'function', function: { name: 'get_weather', description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string', enum: ['Paris', 'London'] } }, required: ['city'] } } }];
// tool_choice is slm's extension (the fixture model never calls by itself); the client sends it as is.
const called = await ollama.chat({ model: 'agent', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools,
  tool_choice: 'required', parallel_tool_calls: false, options: { temperature: 0 }, stream: false });
out.tools = { calls: called.message.tool_calls ?? [] };

const answered = await ollama.chat({ model: 'agent', tools, options: { temperature: 0, num_predict: 6 }, stream: false, messages: [
  { role: 'user', content: 'Weather in Paris?' },
  called.message,
  { role: 'tool', tool_name: 'get_weather', content: 'sunny, 21 C' },
] });
out.toolResult = { role: answered.message.role, content: answered.message.content };

// options.num_ctx reloads 'stories' (configured with 256 tokens) with a larger context; keep_alive says for how long.
await ollama.generate({ model: 'stories', prompt: 'Once upon a time', raw: true, options: { ...options, num_ctx: 512 },
  keep_alive: '1h', stream: false });
const sized = (await ollama.ps()).models.find((m) => m.name === 'stories');
out.sized = { context: sized?.context_length, expires: String(sized?.expires_at) };
// Ollama's way to unload a model: a generate without a prompt, keep_alive 0.
const unload = await ollama.generate({ model: 'stories', prompt: '', keep_alive: 0, stream: false });
let gone = false;
for (let i = 0; i < 50 && !gone; i++) {
  gone = !(await ollama.ps()).models.some((m) => m.name === 'stories');
  if (!gone) await new Promise((r) => setTimeout(r, 200));
}
out.unloaded = { reason: unload.done_reason, gone };

try {
  await ollama.chat({ model: 'nope', messages });
  out.notFound = { status: 'no error' };
} catch (err) {
  out.notFound = { name: err.name, status: err.status_code, message: err.message };
}
console.log(JSON.stringify(out));
